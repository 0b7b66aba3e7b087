using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace FeedbackLoop;

/// <summary>
/// Random version-4 GUIDs for event ids, from a per-thread buffer of cryptographically secure bytes.
/// </summary>
/// <remarks>
/// <see cref="Guid.NewGuid"/> asks the operating system for 16 bytes on every call; on Linux with glibc 2.36 that is
/// a <c>getrandom</c> system call each time (measured here at about 0.7 µs per id, more than the whole record path).
/// Filling 4 KiB at once keeps the ids unguessable (a host may hand prediction ids to clients who later send
/// feedback) at one system call per 256 ids.
/// </remarks>
internal static class RandomIds
{
    private const int BufferSize = 4096;

    [ThreadStatic]
    private static Buffer? t_buffer;

    public static Guid Next()
    {
        var buffer = t_buffer ??= new Buffer();
        if (buffer.Offset == 0)
        {
            RandomNumberGenerator.Fill(buffer.Bytes);
        }

        var bytes = buffer.Bytes.AsSpan(buffer.Offset, 16);
        buffer.Offset = (buffer.Offset + 16) & (BufferSize - 1);

        // RFC 9562, section 5.4: version 4 in the high nibble of octet 6, variant 10 in the high bits of octet 8.
        // Guid's constructor reads the first three fields little-endian, so octet 6 is byte 7 of the span.
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return MemoryMarshal.Read<Guid>(bytes);
    }

    /// <summary>One thread-static reference to the bytes and the offset, so a call reads thread-local storage once.</summary>
    private sealed class Buffer
    {
        public byte[] Bytes { get; } = new byte[BufferSize];

        public int Offset { get; set; }
    }
}
