namespace Flux.Core;

/// <summary>What is wrong with a sampler checkpoint.</summary>
public enum CheckpointFailure
{
    /// <summary>Not classified (an exception built without a kind).</summary>
    Unspecified,

    /// <summary>The stream ended before the checkpoint did.</summary>
    Truncated,

    /// <summary>The stream does not start with the checkpoint magic.</summary>
    BadMagic,

    /// <summary>A format version this build cannot read (below the first, or not a version at all).</summary>
    UnsupportedVersion,

    /// <summary>
    /// A format version above the newest this build reads: written by a newer build. During a rolling upgrade an older
    /// worker can meet one; another (upgraded) worker can read it, so it is not the caller's fault.
    /// </summary>
    NewerVersion,

    /// <summary>A header field is out of range (element type, rank, dimension, step, length).</summary>
    Malformed,

    /// <summary>The stored checksum does not match the bytes read.</summary>
    ChecksumMismatch,

    /// <summary>The latent shape differs from the run's.</summary>
    ShapeMismatch,

    /// <summary>The total step count differs from the run's.</summary>
    TotalStepsMismatch,

    /// <summary>The schedule fingerprint differs from the run's.</summary>
    ScheduleMismatch,
}

/// <summary>A sampler checkpoint that cannot be used; the message names what differs.</summary>
public sealed class CheckpointException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CheckpointException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public CheckpointException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public CheckpointException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception of a given kind.</summary>
    public CheckpointException(CheckpointFailure failure, string message)
        : base(message)
    {
        Failure = failure;
    }

    /// <summary>What is wrong.</summary>
    public CheckpointFailure Failure { get; }
}
