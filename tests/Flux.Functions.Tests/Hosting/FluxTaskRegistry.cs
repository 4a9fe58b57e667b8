using System.Reflection;
using System.Text.Json;
using Azure.Core.Serialization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Flux.Functions.Tests.Hosting;

/// <summary>
/// Registers the app's orchestrators and activities on a plain Durable Task worker (the in-process test host,
/// the service benchmark) the way the isolated worker runs them, found through their [Function] attributes:
/// <list type="bullet">
/// <item>orchestrators through their [Function] <c>Run(context)</c> wrappers, which read the input the client serialized;</item>
/// <item>activities receive the JSON text the host sends, bound to the [ActivityTrigger] parameter with the
/// worker's serializer (<see cref="WorkerOptions.Serializer"/>), on the class instance the app's services make;</item>
/// <item>an activity's failure reaches the orchestrator as the isolated worker reports an async activity's:
/// the exception type is lost (ErrorType System.AggregateException, no inner failure), only the message
/// survives (Azure/azure-functions-durable-extension#2762). The in-process host would otherwise keep the
/// type, and code that classifies failures by type would pass here and fail in Azure.</item>
/// </list>
/// </summary>
internal static class FluxTaskRegistry
{
    public static void Register(DurableTaskRegistry registry, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var serializer = services.GetRequiredService<IOptions<WorkerOptions>>().Value.Serializer
            ?? throw new InvalidOperationException("the app's host has no worker serializer");
        foreach (var (name, method) in Functions())
        {
            var parameters = method.GetParameters();
            if (parameters.Any(p => p.GetCustomAttribute<OrchestrationTriggerAttribute>() is not null))
            {
                // The plain worker deserializes the input before the orchestrator runs, into the type it was registered
                // with, and GetInput<T> casts that; the type is the one the wrapper's RunAsync takes.
                var input = method.DeclaringType!.GetMethod("RunAsync")!.GetParameters()[1].ParameterType;
                typeof(FluxTaskRegistry).GetMethod(nameof(AddOrchestrator), BindingFlags.NonPublic | BindingFlags.Static)!
                    .MakeGenericMethod(input).Invoke(null, [registry, name, method]);
            }
            else if (parameters.Any(p => p.GetCustomAttribute<ActivityTriggerAttribute>() is not null))
            {
                object? target = method.IsStatic ? null : ActivatorUtilities.GetServiceOrCreateInstance(services, method.DeclaringType!);
                registry.AddActivityFunc<JsonElement, object?>(name, (_, input) => InvokeActivityAsync(target, method, input, serializer));
            }
        }
    }

    private static void AddOrchestrator<TInput>(DurableTaskRegistry registry, string name, MethodInfo run)
        => registry.AddOrchestratorFunc<TInput, object?>(name, (context, _) => ResultAsync(run, Invoke(run, null, [context])));

    /// <summary>Every [Function] method of the app, by function name.</summary>
    public static IEnumerable<(string Name, MethodInfo Method)> Functions()
        => typeof(FluxOptions).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => (Name: m.GetCustomAttribute<FunctionAttribute>()?.Name, Method: m))
            .Where(f => f.Name is not null)
            .Select(f => (f.Name!, f.Method));

    /// <summary>The exception an activity's failure becomes on its way to the orchestrator in the isolated worker.</summary>
    public static Exception AsIsolatedWorkerReportsIt(Exception thrown)
    {
        ArgumentNullException.ThrowIfNull(thrown);
        return new AggregateException($"One or more errors occurred. ({thrown.Message})");
    }

    private static async Task<object?> InvokeActivityAsync(object? target, MethodInfo method, JsonElement input, ObjectSerializer serializer)
    {
        try
        {
            var arguments = method.GetParameters().Select(p =>
                p.GetCustomAttribute<ActivityTriggerAttribute>() is not null ? Bind(input.GetRawText(), p.ParameterType, serializer)
                : p.ParameterType == typeof(CancellationToken) ? (object)CancellationToken.None
                : throw new InvalidOperationException($"{method.DeclaringType!.Name}.{method.Name}: no binding for parameter {p.Name}")).ToArray();
            return await ResultAsync(method, Invoke(method, target, arguments));
        }
        catch (Exception e)
        {
            throw AsIsolatedWorkerReportsIt(e);
        }
    }

    /// <summary>A function's own exception, not <see cref="TargetInvocationException"/>.</summary>
    private static object? Invoke(MethodInfo method, object? target, object?[] arguments)
        => method.Invoke(target, BindingFlags.DoNotWrapExceptions, binder: null, arguments, culture: null);

    private static object? Bind(string json, Type type, ObjectSerializer serializer)
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json));
        return serializer.Deserialize(stream, type, CancellationToken.None);
    }

    private static async Task<object?> ResultAsync(MethodInfo method, object? returned)
    {
        if (returned is not Task task)
        {
            return returned;
        }

        await task;
        return method.ReturnType.IsGenericType ? method.ReturnType.GetProperty(nameof(Task<object>.Result))!.GetValue(task) : null;
    }
}
