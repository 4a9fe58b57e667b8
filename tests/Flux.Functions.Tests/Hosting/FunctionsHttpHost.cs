using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Flux.Functions.Tests.Hosting;

/// <summary>An HTTP function as its [HttpTrigger] attribute declares it.</summary>
internal sealed record HttpRoute(string Function, MethodInfo Method, string Verb, string Template, AuthorizationLevel Level);

/// <summary>
/// Sends requests to the app's HTTP functions the way the Functions host routes them, from nothing but their
/// [Function] and [HttpTrigger] attributes: "api/" (host.json's routePrefix) + Route with its constraints, the
/// verb, and the auth level (a Function-level route answers 401 without a key in x-functions-key or ?code=).
/// Route values bind to the method's parameters by name; the class is made from the app's services.
/// </summary>
internal sealed class FunctionsHttpHost(IServiceProvider services, DurableTaskClient client)
{
    public const string RoutePrefix = "api";
    public const string FunctionKey = "test-function-key";

    public static IReadOnlyList<HttpRoute> Routes { get; } =
    [
        .. FluxTaskRegistry.Functions()
            .Select(f => (f.Name, f.Method, Trigger: f.Method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).SingleOrDefault(a => a is not null)))
            .Where(f => f.Trigger is not null)
            .SelectMany(f => f.Trigger!.Methods!.Select(verb => new HttpRoute(f.Name, f.Method, verb.ToUpperInvariant(), f.Trigger.Route!, f.Trigger.AuthLevel))),
    ];

    public async Task<HttpResponse> SendAsync(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var resolver = new DefaultInlineConstraintResolver(Options.Create(new RouteOptions()), services);
        foreach (var route in Routes.Where(r => r.Verb == request.Method))
        {
            var template = TemplateParser.Parse($"{RoutePrefix}/{route.Template}");
            var values = new RouteValueDictionary();
            if (!new TemplateMatcher(template, []).TryMatch(request.Path, values) || !ConstraintsHold(template, values, resolver, request.HttpContext))
            {
                continue;
            }

            if (route.Level != AuthorizationLevel.Anonymous && !HasKey(request))
            {
                return await HttpCalls.ExecuteAsync(request, new UnauthorizedResult());
            }

            object? target = route.Method.IsStatic ? null : ActivatorUtilities.CreateInstance(services, route.Method.DeclaringType!);
            object?[] arguments = [.. route.Method.GetParameters().Select(p => Bind(p, request, values))];
            object? returned = route.Method.Invoke(target, BindingFlags.DoNotWrapExceptions, binder: null, arguments, culture: null);
            var result = returned as IActionResult ?? await (Task<IActionResult>)returned!;
            return await HttpCalls.ExecuteAsync(request, result);
        }

        return await HttpCalls.ExecuteAsync(request, new NotFoundResult());
    }

    private static bool ConstraintsHold(RouteTemplate template, RouteValueDictionary values, IInlineConstraintResolver resolver, HttpContext context)
        => template.Parameters.All(parameter => parameter.InlineConstraints.All(inline =>
            resolver.ResolveConstraint(inline.Constraint)!.Match(context, route: null, parameter.Name!, values, RouteDirection.IncomingRequest)));

    private static bool HasKey(HttpRequest request)
        => request.Headers["x-functions-key"] == FunctionKey || request.Query["code"] == FunctionKey;

    private object? Bind(ParameterInfo parameter, HttpRequest request, RouteValueDictionary values)
    {
        if (parameter.ParameterType == typeof(HttpRequest))
        {
            return request;
        }

        if (parameter.ParameterType == typeof(DurableTaskClient))
        {
            return client;
        }

        if (parameter.ParameterType == typeof(CancellationToken))
        {
            return CancellationToken.None;
        }

        return values.TryGetValue(parameter.Name!, out var value)
            ? Convert.ChangeType(value, parameter.ParameterType, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"{parameter.Member.Name}: nothing binds parameter {parameter.Name}");
    }
}
