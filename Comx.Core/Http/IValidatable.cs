namespace Comx.Core.Http;

/// <summary>A request record that checks its own fields once, at the boundary (style.md rule 6).</summary>
public interface IValidatable
{
    IEnumerable<FieldError> Validate();
}
