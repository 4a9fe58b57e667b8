using Microsoft.Azure.Functions.Worker;

namespace Flux.Functions.Tests.Hosting;

/// <summary>
/// The FunctionContext of one queue-trigger delivery, carrying the trigger metadata the host sends with it
/// (DequeueCount arrives as a string). Only the binding data is real; nothing else is read by the trigger.
/// </summary>
internal sealed class QueueDelivery(long dequeueCount) : FunctionContext
{
    public override string InvocationId { get; } = Guid.NewGuid().ToString();

    public override string FunctionId => "JobsQueue";

    public override TraceContext TraceContext => throw new NotSupportedException();

    public override BindingContext BindingContext { get; } = new Metadata(new Dictionary<string, object?>
    {
        ["DequeueCount"] = dequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Id"] = Guid.NewGuid().ToString(),
    });

    public override RetryContext RetryContext => throw new NotSupportedException();

    public override IServiceProvider InstanceServices { get; set; } = null!;

    public override FunctionDefinition FunctionDefinition => throw new NotSupportedException();

    public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();

    public override IInvocationFeatures Features => throw new NotSupportedException();

    private sealed class Metadata(IReadOnlyDictionary<string, object?> data) : BindingContext
    {
        public override IReadOnlyDictionary<string, object?> BindingData => data;
    }
}
