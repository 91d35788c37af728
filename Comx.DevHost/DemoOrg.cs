namespace Comx.DevHost;

/// <summary>The seeded demo organisation, shared by the demo seed and the demo page.</summary>
public static class DemoOrg
{
    public const string OrgId = "org_demo_hillside";
}
