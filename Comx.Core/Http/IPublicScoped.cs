namespace Comx.Core.Http;

/// <summary>A public request record naming what its idempotency keys are scoped to, with the caller's IP (widget key or session).</summary>
public interface IPublicScoped
{
    string IdempotencyScope { get; }
}
