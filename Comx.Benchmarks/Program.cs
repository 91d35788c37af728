using Comx.Benchmarks.Answers;
using Comx.Benchmarks.Chat;
using Comx.Benchmarks.Insights;
using Comx.Benchmarks.Retrieval;

switch (args.FirstOrDefault())
{
    case "retrieval":
        RetrievalBenchmark.Run(Console.Out);
        return 0;
    case "chat":
        await ChatBenchmark.RunAsync(Console.Out);
        return 0;
    case "answers":
        await AnswersBenchmark.RunAsync(Console.Out);
        return 0;
    case "insights":
        await InsightsBenchmark.RunAsync(Console.Out);
        return 0;
    default:
        Console.Error.WriteLine("usage: dotnet run -c Release --project Comx.Benchmarks -- retrieval|chat|answers|insights");
        return 2;
}
