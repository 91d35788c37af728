// Declarations that reproduce, signature for signature, the Azure Functions isolated-worker API that Comx.Functions
// uses (../shared/reference/functions-worker.md: Azure/azure-functions-dotnet-worker @fb1133321b86). They exist only so
// FunctionsCompileTests can compile Comx.Functions' own source files with Roslyn; bodies are never run.
#nullable enable
using System;
using System.Collections.Generic;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Microsoft.Azure.Functions.Worker.Extensions.Abstractions
{
    [AttributeUsage(AttributeTargets.Method)]
    public abstract class BindingAttribute : Attribute { }

    [AttributeUsage(AttributeTargets.Parameter)]
    public abstract class TriggerBindingAttribute : BindingAttribute { }
}

namespace Microsoft.Azure.Functions.Worker
{
    using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

    [AttributeUsage(AttributeTargets.Method)]
    public class FunctionAttribute : Attribute
    {
        public FunctionAttribute(string name) => Name = name;
        public string Name { get; }
    }

    public enum AuthorizationLevel { Anonymous = 0, User = 1, Function = 2, System = 3, Admin = 4 }

    public sealed class HttpTriggerAttribute : TriggerBindingAttribute
    {
        public HttpTriggerAttribute() => AuthLevel = AuthorizationLevel.Function;
        public HttpTriggerAttribute(params string[] methods) => Methods = methods;
        public HttpTriggerAttribute(AuthorizationLevel authLevel) => AuthLevel = authLevel;
        public HttpTriggerAttribute(AuthorizationLevel authLevel, params string[] methods) { AuthLevel = authLevel; Methods = methods; }
        public string? Route { get; set; }
        public string[]? Methods { get; private set; }
        public AuthorizationLevel AuthLevel { get; private set; }
    }

    public sealed class QueueTriggerAttribute : TriggerBindingAttribute
    {
        public QueueTriggerAttribute(string queueName) => QueueName = queueName;
        public string QueueName { get; }
        public string? Connection { get; set; }
    }

    public sealed class TimerTriggerAttribute : TriggerBindingAttribute
    {
        public TimerTriggerAttribute(string schedule) { Schedule = schedule; UseMonitor = true; }
        public string Schedule { get; private set; }
        public bool UseMonitor { get; set; }
        public bool RunOnStartup { get; set; }
    }

    public class TimerInfo
    {
        public ScheduleStatus? ScheduleStatus { get; set; }
        public bool IsPastDue { get; set; }
    }

    public class ScheduleStatus
    {
        public DateTime Last { get; set; }
        public DateTime Next { get; set; }
        public DateTime LastUpdated { get; set; }
    }

    public interface IFunctionsWorkerApplicationBuilder
    {
        IServiceCollection Services { get; }
        IFunctionsWorkerApplicationBuilder Use(Func<Middleware.FunctionExecutionDelegate, Middleware.FunctionExecutionDelegate> middleware);
    }

    public abstract class FunctionContext
    {
        public abstract string InvocationId { get; }
        public abstract string FunctionId { get; }
        public abstract IServiceProvider InstanceServices { get; set; }
        public abstract IDictionary<object, object> Items { get; set; }
        public virtual System.Threading.CancellationToken CancellationToken { get; }
    }
}

namespace Microsoft.Azure.Functions.Worker.Middleware
{
    public delegate System.Threading.Tasks.Task FunctionExecutionDelegate(Microsoft.Azure.Functions.Worker.FunctionContext context);
}

namespace Microsoft.Azure.Functions.Worker.Builder
{
    public class FunctionsApplication
    {
        public static FunctionsApplicationBuilder CreateBuilder(string[] args) => throw null!;
    }

    public class FunctionsApplicationBuilder : IHostApplicationBuilder, Microsoft.Azure.Functions.Worker.IFunctionsWorkerApplicationBuilder
    {
        internal FunctionsApplicationBuilder() { }
        public IDictionary<object, object> Properties => throw null!;
        public ConfigurationManager Configuration => throw null!;
        IConfigurationManager IHostApplicationBuilder.Configuration => throw null!;
        public IHostEnvironment Environment => throw null!;
        public ILoggingBuilder Logging => throw null!;
        public IMetricsBuilder Metrics => throw null!;
        public IServiceCollection Services => throw null!;
        public IHost Build() => throw null!;
        public void ConfigureContainer<TContainerBuilder>(IServiceProviderFactory<TContainerBuilder> factory, Action<TContainerBuilder>? configure = null)
            where TContainerBuilder : notnull => throw null!;
        public Microsoft.Azure.Functions.Worker.IFunctionsWorkerApplicationBuilder Use(
            Func<Microsoft.Azure.Functions.Worker.Middleware.FunctionExecutionDelegate, Microsoft.Azure.Functions.Worker.Middleware.FunctionExecutionDelegate> middleware) => throw null!;
    }

    public static class FunctionsApplicationBuilderAspNetCoreExtensions
    {
        public static FunctionsApplicationBuilder ConfigureFunctionsWebApplication(this FunctionsApplicationBuilder builder) => throw null!;
    }
}
