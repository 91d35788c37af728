namespace Comx.Tests.Infra;

/// <summary>main.bicep compiled once per test run (about two seconds), shared by the tests that read the ARM JSON.</summary>
public static class CompiledMain
{
    private static readonly Lazy<Task<(BicepRun Run, ArmTemplate Template)>> Current = new(async () =>
    {
        var run = await BicepCli.RunAsync(["build", Path.Combine(BicepCli.InfraDirectory, "main.bicep"), "--stdout"]);
        Assert.True(run.ExitCode == 0, string.Join(Environment.NewLine, run.Problems()));
        return (run, ArmTemplate.Parse(run.Output));
    });

    public static async Task<BicepRun> BuildAsync() => (await Current.Value).Run;

    public static async Task<ArmTemplate> TemplateAsync() => (await Current.Value).Template;
}
