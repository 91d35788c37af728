using Comx.Benchmarks.Retrieval;

switch (args.FirstOrDefault())
{
    case "retrieval":
        RetrievalBenchmark.Run(Console.Out);
        return 0;
    default:
        Console.Error.WriteLine("usage: dotnet run -c Release --project Comx.Benchmarks -- retrieval");
        return 2;
}
