using Comx.Benchmarks.Answers;
using Comx.Benchmarks.Chat;
using Comx.Benchmarks.Insights;
using Comx.Benchmarks.Knowledge;
using Comx.Benchmarks.Load;
using Comx.Benchmarks.Retrieval;
using Comx.Benchmarks.Safeguarding;

switch (args.FirstOrDefault())
{
    case "retrieval":
        RetrievalBenchmark.Run(Console.Out);
        return 0;
    case "chat":
        await ChatBenchmark.RunAsync(Console.Out);
        return 0;
    case "load":
        await LoadBenchmark.RunAsync(Console.Out, args[1..]);
        return 0;
    case "safeguarding":
        await SafeguardingBenchmark.RunAsync(Console.Out, args[1..]);
        return 0;
    case "answers-costs":
        await AnswerCosts.RunAsync(Console.Out);
        return 0;
    case AnswerCosts.ColdArgument:
        return AnswerCosts.MeasureColdLoadHere(Console.Out);
    case "answers":
        await AnswersBenchmark.RunAsync(Console.Out, rankingOnly: args.Skip(1).Contains("ranking"));
        return 0;
    case "knowledge":
        await KnowledgeBenchmark.RunAsync(Console.Out, args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100);
        return 0;
    case "insights":
        await InsightsBenchmark.RunAsync(Console.Out);
        return 0;
    default:
        Console.Error.WriteLine("usage: dotnet run -c Release --project Comx.Benchmarks -- retrieval|chat|answers [ranking]|answers-costs|safeguarding|knowledge [crawl delay ms]|load [concurrencies, e.g. 1,8]|insights");
        return 2;
}
