using FeedbackLoop.State;

namespace FeedbackLoop.Tests.State;

public class StateSnapshotTests
{
    private static StateSnapshot Sample() => new SnapshotWriter("ThirdPartyDetector", 3)
        .Write(0.25).Write(42L).Write(7).Write(true).Write("région").Write([1.0, 2.0]).Write([3L, 4L]).ToSnapshot();

    [Fact]
    public void Writer_OutsideTheLibrary_RoundTripsThroughBytesAndReader()
    {
        var restored = StateSnapshot.FromBytes(Sample().ToBytes());

        restored.Kind.Should().Be("ThirdPartyDetector");
        restored.Version.Should().Be(3);
        var reader = SnapshotReader.Open(restored, "ThirdPartyDetector", 3);
        reader.ExpectParameter("delta", 0.25);
        reader.ExpectParameter("width", 42L);
        reader.ReadInt32().Should().Be(7);
        reader.ReadBoolean().Should().BeTrue();
        reader.ReadString(64).Should().Be("région");
        reader.ReadDoubles(2).Should().Equal(1.0, 2.0);
        reader.ReadInt64s(2).Should().Equal(3L, 4L);
        reader.End();
    }

    [Fact]
    public void FromBytes_AnySingleBitFlipped_IsRefused()
    {
        var bytes = Sample().ToBytes();
        var accepted = new List<int>();
        for (var bit = 0; bit < bytes.Length * 8; bit++)
        {
            var flipped = (byte[])bytes.Clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            try
            {
                StateSnapshot.FromBytes(flipped);
                accepted.Add(bit);
            }
            catch (FormatException)
            {
            }
        }

        accepted.Should().BeEmpty("every byte, header and payload alike, is covered by the integrity check");
    }

    [Fact]
    public void FromBytes_TruncatedOrExtended_IsRefused()
    {
        var bytes = Sample().ToBytes();

        for (var length = 0; length < bytes.Length; length++)
        {
            var act = () => StateSnapshot.FromBytes(bytes.AsSpan(0, length));
            act.Should().Throw<FormatException>();
        }

        var extended = () => StateSnapshot.FromBytes([.. bytes, 0]);
        extended.Should().Throw<FormatException>();
    }

    [Theory]
    [InlineData("")]
    [InlineData("Détecteur")]
    [InlineData("tab\there")]
    public void Constructor_KindNotPrintableAscii_Throws(string kind)
    {
        var act = () => new StateSnapshot(kind, 1, []);

        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Constructor_KindTooLongOrVersionOutOfRange_Throws()
    {
        var longKind = () => new StateSnapshot(new string('k', 256), 1, []);
        var negative = () => new SnapshotWriter("Kind", -1);
        var tooLarge = () => new SnapshotWriter("Kind", 65_536);

        longKind.Should().Throw<ArgumentException>();
        negative.Should().Throw<ArgumentOutOfRangeException>();
        tooLarge.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Constructor_CopiesThePayload()
    {
        var payload = new byte[] { 1, 2, 3 };
        var snapshot = new StateSnapshot("Kind", 1, payload);
        payload[0] = 9;

        snapshot.Payload.ToArray().Should().Equal(1, 2, 3);
    }

    [Fact]
    public void Open_OtherKindOrVersion_ThrowsNamingBoth()
    {
        var snapshot = Sample();

        Action kind = () => SnapshotReader.Open(snapshot, "Adwin", 3);
        Action version = () => SnapshotReader.Open(snapshot, "ThirdPartyDetector", 4);

        kind.Should().Throw<ArgumentException>().WithMessage("*ThirdPartyDetector*Adwin*");
        version.Should().Throw<ArgumentException>().WithMessage("*version 3*reads version 4*");
    }

    [Fact]
    public void Reader_OtherParameterOrLeftoverOrOversizeArray_Throws()
    {
        var snapshot = Sample();

        var parameter = () => SnapshotReader.Open(snapshot, "ThirdPartyDetector", 3).ExpectParameter("delta", 0.5);
        var leftover = () => SnapshotReader.Open(snapshot, "ThirdPartyDetector", 3).End();
        var oversize = () =>
        {
            var reader = SnapshotReader.Open(new SnapshotWriter("K", 1).Write([1.0, 2.0, 3.0]).ToSnapshot(), "K", 1);
            reader.ReadDoubles(2);
        };
        var truncated = () => { SnapshotReader.Open(new SnapshotWriter("K", 1).Write(1).ToSnapshot(), "K", 1).ReadString(10); };

        parameter.Should().Throw<ArgumentException>().WithMessage("*delta = 0.25*delta = 0.5*");
        leftover.Should().Throw<ArgumentException>().WithMessage("*left over*");
        oversize.Should().Throw<ArgumentException>().WithMessage("*length 3 is outside 0..2*");
        truncated.Should().Throw<ArgumentException>().WithMessage("*truncated*");
    }

    [Fact]
    public void ReadString_InvalidUtf8_Throws()
    {
        var payload = new byte[] { 2, 0, 0, 0, 0, 0, 0, 0, 0xC3, 0x28 };
        var snapshot = new StateSnapshot("K", 1, payload);

        var act = () => { SnapshotReader.Open(snapshot, "K", 1).ReadString(10); };

        act.Should().Throw<ArgumentException>().WithMessage("*not valid UTF-8*");
    }
}
