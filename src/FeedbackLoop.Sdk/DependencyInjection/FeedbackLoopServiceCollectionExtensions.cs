using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FeedbackLoop;

/// <summary>Registers feedback loops in an <see cref="IServiceCollection"/>.</summary>
public static class FeedbackLoopServiceCollectionExtensions
{
    /// <summary>The name of the loop registered by <see cref="AddFeedbackLoop(IServiceCollection, Action{FeedbackLoopBuilder})"/>.</summary>
    public const string DefaultName = "default";

    /// <summary>
    /// Registers the loop named <see cref="DefaultName"/>, resolvable as <see cref="IFeedbackLoop"/> and as the keyed
    /// service <see cref="DefaultName"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the loop.</param>
    /// <returns>The loop's builder.</returns>
    public static FeedbackLoopBuilder AddFeedbackLoop(this IServiceCollection services, Action<FeedbackLoopBuilder>? configure = null)
    {
        var builder = services.AddFeedbackLoop(DefaultName, configure);
        services.TryAddSingleton(provider => provider.GetRequiredKeyedService<IFeedbackLoop>(DefaultName));
        return builder;
    }

    /// <summary>
    /// Registers a named loop as the keyed singleton <see cref="IFeedbackLoop"/> with key <paramref name="name"/>. Calling it
    /// again with the same name returns the same builder (and applies <paramref name="configure"/> to it) without
    /// registering anything twice. Options are validated when the loop is first resolved, or at host start-up
    /// (<c>ValidateOnStart</c>); the exception lists every problem.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The loop name, also the model name in the registry.</param>
    /// <param name="configure">Configures the loop.</param>
    /// <returns>The loop's builder.</returns>
    public static FeedbackLoopBuilder AddFeedbackLoop(this IServiceCollection services, string name, Action<FeedbackLoopBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var builders = services
            .Select(d => d.ServiceType == typeof(LoopBuilders) ? d.ImplementationInstance as LoopBuilders : null)
            .FirstOrDefault(b => b is not null);
        if (builders is null)
        {
            builders = new LoopBuilders();
            services.AddSingleton(builders);
        }

        if (!builders.TryGetValue(name, out var builder))
        {
            builder = new FeedbackLoopBuilder(name, services);
            builders.Add(name, builder);
            services.TryAddSingleton(TimeProvider.System);
            services.AddOptions<FeedbackLoopOptions>(name)
                .Configure(builder.ApplyOptions)
                .ValidateOnStart();
            services.AddSingleton<IValidateOptions<FeedbackLoopOptions>>(new BuilderValidator(builder));
            services.AddKeyedSingleton<IFeedbackLoop>(name, (provider, _) =>
                builder.Build(provider, provider.GetRequiredService<IOptionsMonitor<FeedbackLoopOptions>>().Get(name)));
        }

        configure?.Invoke(builder);
        return builder;
    }

    /// <summary>The builders registered so far, by name; found in the collection to keep registration idempotent.</summary>
    private sealed class LoopBuilders : Dictionary<string, FeedbackLoopBuilder>
    {
        public LoopBuilders()
            : base(StringComparer.Ordinal)
        {
        }
    }

    private sealed class BuilderValidator(FeedbackLoopBuilder builder) : IValidateOptions<FeedbackLoopOptions>
    {
        public ValidateOptionsResult Validate(string? name, FeedbackLoopOptions options)
        {
            if (!string.Equals(name, builder.Name, StringComparison.Ordinal))
            {
                return ValidateOptionsResult.Skip;
            }

            var failures = builder.Validate(options);
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
