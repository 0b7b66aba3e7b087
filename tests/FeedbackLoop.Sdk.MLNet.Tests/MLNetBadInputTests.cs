using System.IO.Compression;
using FeedbackLoop.MLNet;
using FeedbackLoop.Models;
using FeedbackLoop.Registry;
using FeedbackLoop.Retraining;
using FeedbackLoop.Simulation;
using FeedbackLoop.Tests.TestSupport;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace FeedbackLoop.Tests;

/// <summary>Bad input to an ML.NET loop: refused with a typed error, and the champion keeps serving.</summary>
public class MLNetBadInputTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly AliasChange Host = new("host", "test");
    private readonly SimulatedClock _time = new();
    private readonly InMemoryModelRegistry _registry;

    public MLNetBadInputTests() => _registry = new InMemoryModelRegistry(_time);

    [Fact]
    public async Task RecordFeedback_LabelOfAnotherTask_IsRefusedAndTheChampionIsUnchanged()
    {
        var traffic = new TaskTraffic(ModelTask.Binary);
        await using var loop = Loop(traffic).UseMLNet().Build();
        var champion = await loop.SeedAsync(traffic.Take(200), Host, None);
        var prediction = loop.Predict(traffic.Next().Features);

        loop.Invoking(l => l.RecordFeedback(Feedback.GroundTruth(prediction.Id, Label.Numeric(1.5))))
            .Should().Throw<InvalidLabelException>().WithMessage("*binary task takes Binary labels, not Numeric*");
        loop.Invoking(l => l.RecordFeedback(Feedback.GroundTruth(prediction.Id, Label.Categorical("yes"))))
            .Should().Throw<InvalidLabelException>();
        TrainingSet.CreateBuilder(traffic.Schema, ModelTask.Binary).Invoking(b => b.Add(traffic.Next().Features, Label.Numeric(0)))
            .Should().Throw<InvalidLabelException>();
        loop.Champion!.Version.Should().Be(champion.Version);
    }

    [Fact]
    public async Task RecordFeedback_ClassOutsideTheDeclaredSet_IsRefusedAndTheChampionIsUnchanged()
    {
        var traffic = new TaskTraffic(TaskTraffic.Regions);
        await using var loop = Loop(traffic).UseMLNet().Build();
        var champion = await loop.SeedAsync(traffic.Take(300), Host, None);
        var prediction = loop.Predict(traffic.Next().Features);

        loop.Invoking(l => l.RecordFeedback(Feedback.GroundTruth(prediction.Id, Label.Categorical("urgent"))))
            .Should().Throw<InvalidLabelException>().WithMessage("*the class 'urgent' is not one of the task's classes [low, mid, high]*");
        loop.Champion!.Version.Should().Be(champion.Version);
    }

    [Fact]
    public async Task FromTransformer_ModelOfOtherClasses_IsRefusedNamingBoth()
    {
        var traffic = new TaskTraffic(TaskTraffic.Regions);
        var (host, data) = HostModels.Multiclass(traffic.Take(300));

        var promote = () => MLNetModel.FromTransformer(host, traffic.Schema, ModelTask.Multiclass("low", "mid", "urgent"), data.Schema);

        promote.Should().Throw<ArgumentException>().WithMessage("The ML.NET model performs a multiclass[*] task; the loop's task is multiclass[low, mid, urgent].*");
    }

    [Fact]
    public async Task PromoteAsync_MLNetModelOfAnotherTask_IsRefusedAndTheChampionIsUnchanged()
    {
        var traffic = new TaskTraffic(ModelTask.Binary);
        await using var loop = Loop(traffic).UseMLNet().Build();
        var champion = await loop.SeedAsync(traffic.Take(200), Host, None);
        var regression = await new MLNetTrainer().TrainAsync(new TaskTraffic(ModelTask.Regression).Take(200), None);

        await loop.Invoking(l => l.PromoteAsync(regression, Host, None)).Should().ThrowAsync<ArgumentException>().WithMessage("*performs a regression task*binary*");
        loop.Champion!.Version.Should().Be(champion.Version);
    }

    public static TheoryData<string> BrokenFiles() => ["corrupt", "truncated", "empty", "zip but not a model"];

    [Theory]
    [MemberData(nameof(BrokenFiles))]
    public async Task Load_BrokenModelFile_ThrowsFormatException(string kind)
    {
        var traffic = new TaskTraffic(ModelTask.Binary);
        var artifact = (await new MLNetTrainer().TrainAsync(traffic.Take(200), None)).Artifact.ToArray();

        var load = () => new MLNetTrainer().Load(new MemoryStream(Broken(kind, artifact)), traffic.Schema);

        load.Should().Throw<FormatException>().WithMessage("The artifact is not a readable ML.NET model file (corrupt, truncated or of another format): *");
    }

    [Theory]
    [MemberData(nameof(BrokenFiles))]
    public async Task FromFile_BrokenModelFile_ThrowsFormatExceptionAndTheChampionKeepsServing(string kind)
    {
        var traffic = new TaskTraffic(ModelTask.Binary);
        await using var loop = Loop(traffic).UseMLNet().Build();
        var champion = await loop.SeedAsync(traffic.Take(200), Host, None);
        var path = Path.Combine(Path.GetTempPath(), $"mlnet-{Guid.NewGuid():N}.zip");
        await File.WriteAllBytesAsync(path, Broken(kind, (await _registry.GetArtifactAsync(loop.Name, champion.Version, None)).ToArray()));

        try
        {
            var promote = async () => await loop.PromoteAsync(MLNetModel.FromFile(path, loop.Schema, loop.Task), Host, None);

            await promote.Should().ThrowAsync<FormatException>();
            loop.Champion!.Version.Should().Be(champion.Version);
            loop.Predict(traffic.Next().Features).ModelVersion.Should().Be(champion.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task LoadVersion_CorruptArtifactInTheRegistry_FailsAndTheChampionKeepsServing()
    {
        var traffic = new TaskTraffic(ModelTask.Binary);
        await using var loop = Loop(traffic).UseMLNet().Build();
        var champion = await loop.SeedAsync(traffic.Take(200), Host, None);
        var corrupt = await _registry.RegisterAsync(
            new ModelRegistration(loop.Name, Broken("truncated", (await _registry.GetArtifactAsync(loop.Name, champion.Version, None)).ToArray()), "truncated", new Dictionary<string, double>(), new Dictionary<string, string>())
            {
                SchemaFingerprint = loop.Schema.Fingerprint,
            },
            None);

        await loop.Invoking(l => l.LoadVersionAsync(corrupt.Version, None)).Should().ThrowAsync<FormatException>();
        loop.Champion!.Version.Should().Be(champion.Version);
        loop.Predict(traffic.Next().Features).Output.Score.Should().BeInRange(0, 1);
    }

    [Fact]
    public async Task Load_ModelOfAnotherSchema_ThrowsFormatExceptionNamingTheMissingColumn()
    {
        var traffic = new TaskTraffic(ModelTask.Binary);
        var artifact = (await new MLNetTrainer().TrainAsync(traffic.Take(200), None)).Artifact.ToArray();
        var agrawal = new AgrawalStream(seed: 1, functions: [0], driftPoints: []).Schema;

        var load = () => MLNetModel.Load(new MemoryStream(artifact), agrawal);

        load.Should().Throw<FormatException>().WithMessage(
            "The model's input schema has no column 'salary' for the loop's numeric feature 'salary'; its input columns are 'x1', 'x2', 'x3', 'x4'.");
    }

    [Fact]
    public async Task Load_ModelWhoseColumnHasAnotherType_ThrowsFormatExceptionNamingTheColumn()
    {
        var traffic = new TaskTraffic(ModelTask.Binary);
        var artifact = (await new MLNetTrainer().TrainAsync(traffic.Take(200), None)).Artifact.ToArray();
        var categoricalX2 = FeatureSchema.CreateBuilder().Numeric("x1").Categorical("x2").Numeric("x3").Numeric("x4").Build();

        var load = () => MLNetModel.Load(new MemoryStream(artifact), categoricalX2);

        load.Should().Throw<FormatException>().WithMessage("The model's input column 'x2' is Single; the loop gives its categorical feature 'x2' to ML.NET as String.");
    }

    [Fact]
    public async Task Load_ModelWithOtherInputNames_ThrowsFormatExceptionNamingTheColumn()
    {
        var traffic = new TaskTraffic(TaskTraffic.Regions);
        var (host, data) = HostModels.Multiclass(traffic.Take(300), upperCaseColumns: true);
        using var file = new MemoryStream();
        new MLContext().Model.Save(host, data.Schema, file);
        file.Position = 0;

        var load = () => new MLNetTrainer().Load(file, traffic.Schema);

        load.Should().Throw<FormatException>().WithMessage(
            "The model's input schema has no column 'x1' for the loop's numeric feature 'x1' (it has 'X1'; names are compared exactly); its input columns are 'X1', 'X2', 'X3', 'X4', 'Label'.");
    }

    [Fact]
    public async Task Load_ModelWhoseScoreReadsAColumnThatIsNotAFeature_ThrowsFormatExceptionNamingIt()
    {
        var traffic = new TaskTraffic(ModelTask.Binary);
        var artifact = (await new MLNetTrainer().TrainAsync(traffic.Take(200), None)).Artifact.ToArray();
        var fewer = FeatureSchema.CreateBuilder().Numeric("x1").Numeric("x2").Numeric("x3").Build();

        var load = () => MLNetModel.Load(new MemoryStream(artifact), fewer);

        load.Should().Throw<FormatException>().WithMessage("The model's score reads the input column 'x4', which is not a feature of the loop's schema [x1:Numeric, x2:Numeric, x3:Numeric]; it cannot score the loop's inputs.");
    }

    [Fact]
    public async Task RunCycle_PipelineThatThrows_ReportsTheFailureAndTheChampionKeepsServing()
    {
        var traffic = new TaskTraffic(ModelTask.Binary);
        var champion = await new MLNetTrainer().TrainAsync(traffic.Take(200), None);
        await using var loop = Loop(traffic).UseMLNet(_ => throw new InvalidOperationException("the host's pipeline is broken")).Build();
        var version = await loop.PromoteAsync(champion, Host, None);
        Serve(loop, traffic, 150);

        var report = await loop.RunCycleAsync(None);

        report.Outcome.Should().Be(CycleOutcome.Failed);
        report.Failure.Should().Contain("the host's pipeline is broken");
        loop.Champion!.Version.Should().Be(version.Version);
        loop.Predict(traffic.Next().Features).Output.Score.Should().BeInRange(0, 1);
    }

    [Fact]
    public async Task RunCycle_PipelineWhoseFitThrows_ReportsTheFailureAndTheChampionKeepsServing()
    {
        var traffic = new TaskTraffic(ModelTask.Binary);
        var champion = await new MLNetTrainer().TrainAsync(traffic.Take(200), None);
        await using var loop = Loop(traffic)
            .UseMLNet(p => p.Context.Transforms.Concatenate(p.FeaturesColumn, "no_such_column").Append(p.Context.BinaryClassification.Trainers.FastTree(p.LabelColumn, p.FeaturesColumn)))
            .Build();
        var version = await loop.PromoteAsync(champion, Host, None);
        Serve(loop, traffic, 150);

        var report = await loop.RunCycleAsync(None);

        report.Outcome.Should().Be(CycleOutcome.Failed);
        report.Failure.Should().Contain("no_such_column");
        loop.Champion!.Version.Should().Be(version.Version);
    }

    [Fact]
    public async Task RunCycle_PipelineOfAnotherTask_ReportsTheLabelMismatch()
    {
        var traffic = new TaskTraffic(ModelTask.Binary);
        var champion = await new MLNetTrainer().TrainAsync(traffic.Take(200), None);
        await using var loop = Loop(traffic)
            .UseMLNet(p => p.Featurize().Append(p.Context.Regression.Trainers.FastTree(p.LabelColumn, p.FeaturesColumn)))
            .Build();
        var version = await loop.PromoteAsync(champion, Host, None);
        Serve(loop, traffic, 150);

        var report = await loop.RunCycleAsync(None);

        report.Outcome.Should().Be(CycleOutcome.Failed);
        report.Failure.Should().Contain("Schema mismatch for label column 'Label': expected Single, got Boolean");
        loop.Champion!.Version.Should().Be(version.Version);
    }

    [Fact]
    public async Task RunCycle_PipelineWithoutATrainer_ReportsThatTheModelCannotServe()
    {
        var traffic = new TaskTraffic(ModelTask.Binary);
        var champion = await new MLNetTrainer().TrainAsync(traffic.Take(200), None);
        await using var loop = Loop(traffic).UseMLNet(p => p.Featurize()).Build();
        var version = await loop.PromoteAsync(champion, Host, None);
        Serve(loop, traffic, 150);

        var report = await loop.RunCycleAsync(None);

        report.Outcome.Should().Be(CycleOutcome.Failed);
        report.Failure.Should().Contain("The ML.NET pipeline trained a model the loop cannot serve: The model's output has no 'Score' column");
        loop.Champion!.Version.Should().Be(version.Version);
    }

    [Fact]
    public void FromTransformer_ModelWhoseDependenciesCannotBeRead_ThrowsArgumentExceptionNotItsOwnError()
    {
        var traffic = new TaskTraffic(ModelTask.Regression);

        var promote = () => MLNetModel.FromTransformer(new DamagedModel(), traffic.Schema, ModelTask.Regression);

        promote.Should().Throw<ArgumentException>().WithMessage("The model's output cannot be read on the loop's features*damaged*")
            .WithInnerException<FormatException>().WithInnerException<InvalidOperationException>();
    }

    private static byte[] Broken(string kind, byte[] artifact)
    {
        switch (kind)
        {
            case "corrupt":
                var random = new Random(11);
                var corrupt = (byte[])artifact.Clone();
                for (var i = 0; i < corrupt.Length; i += 7)
                {
                    corrupt[i] = (byte)random.Next(256);
                }

                return corrupt;
            case "truncated":
                return artifact[..(artifact.Length / 2)];
            case "empty":
                return [];
            default:
                using (var stream = new MemoryStream())
                {
                    using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
                    {
                        using var entry = new StreamWriter(zip.CreateEntry("readme.txt").Open());
                        entry.Write("not a model");
                    }

                    return stream.ToArray();
                }
        }
    }

    private FeedbackLoopBuilder Loop(TaskTraffic traffic) =>
        new FeedbackLoopBuilder("bad-input").WithSchema(traffic.Schema).ForTask(traffic.Task).UseTimeProvider(_time).UseRegistry(_registry)
            .RetrainWhen(Retrain.EveryNewLabels(100))
            .Configure(o => o.MinimumTrainingExamples = 50);

    private void Serve(IFeedbackLoop loop, TaskTraffic traffic, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var (features, label) = traffic.Next();
            loop.RecordFeedback(Feedback.GroundTruth(loop.Predict(features).Id, label));
            _time.Advance(TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>A model whose output schema reads as a regressor's but whose mapper fails when asked what its outputs read, as a damaged one may.</summary>
    private sealed class DamagedModel : ITransformer, IRowToRowMapper
    {
        private DataViewSchema _input = new DataViewSchema.Builder().ToSchema();

        public bool IsRowToRowMapper => true;

        public DataViewSchema InputSchema => _input;

        public DataViewSchema OutputSchema
        {
            get
            {
                var builder = new DataViewSchema.Builder();
                builder.AddColumns(_input);
                builder.AddColumn("Score", NumberDataViewType.Single);
                return builder.ToSchema();
            }
        }

        public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => GetRowToRowMapper(inputSchema).OutputSchema;

        public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
        {
            _input = inputSchema;
            return this;
        }

        public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns) =>
            throw new InvalidOperationException("The model is damaged.");

        public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) => throw new InvalidOperationException("The model is damaged.");

        public IDataView Transform(IDataView input) => throw new NotSupportedException();

        void ICanSaveModel.Save(ModelSaveContext ctx) => throw new NotSupportedException();
    }
}
