using System.Globalization;

namespace Flux.Core;

/// <summary>Which shift a schedule applies.</summary>
public enum ScheduleShiftKind
{
    /// <summary>Plain linspace (FLUX.1 schnell).</summary>
    None,

    /// <summary>Resolution-dependent shift mu(L) (FLUX.1 dev).</summary>
    Dynamic,

    /// <summary>A fixed shift s (SD3 style).</summary>
    Static,
}

/// <summary>The time shift of a schedule: <see cref="None"/>, <see cref="Dynamic"/> or <see cref="Static(double)"/>.</summary>
public readonly record struct ScheduleShift
{
    private ScheduleShift(ScheduleShiftKind kind, double value)
    {
        Kind = kind;
        Value = value;
    }

    /// <summary>The kind of shift.</summary>
    public ScheduleShiftKind Kind { get; }

    /// <summary>The shift s for <see cref="ScheduleShiftKind.Static"/>; 0 otherwise.</summary>
    public double Value { get; }

    /// <summary>No shift (schnell).</summary>
    public static ScheduleShift None => new(ScheduleShiftKind.None, 0);

    /// <summary>Dynamic shift from the image sequence length (dev).</summary>
    public static ScheduleShift Dynamic => new(ScheduleShiftKind.Dynamic, 0);

    /// <summary>A static shift s &gt; 0.</summary>
    public static ScheduleShift Static(double s)
    {
        if (!double.IsFinite(s) || s <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(s), string.Create(CultureInfo.InvariantCulture, $"shift {s} must be a finite number greater than 0"));
        }

        return new ScheduleShift(ScheduleShiftKind.Static, s);
    }

    /// <summary>Parses "none", "dynamic" or a positive number s (invariant culture).</summary>
    public static bool TryParse(string? text, out ScheduleShift shift)
    {
        shift = None;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        string trimmed = text.Trim();
        if (trimmed.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (trimmed.Equals("dynamic", StringComparison.OrdinalIgnoreCase))
        {
            shift = Dynamic;
            return true;
        }

        if (double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && double.IsFinite(s) && s > 0)
        {
            shift = Static(s);
            return true;
        }

        return false;
    }

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        ScheduleShiftKind.None => "none",
        ScheduleShiftKind.Dynamic => "dynamic",
        _ => Value.ToString("R", CultureInfo.InvariantCulture),
    };
}
