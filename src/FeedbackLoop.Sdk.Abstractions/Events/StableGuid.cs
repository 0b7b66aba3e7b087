using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace FeedbackLoop;

/// <summary>
/// Name-based GUIDs: RFC 9562 (formerly RFC 4122), section 5.5, version 5. The GUID is the first 16 bytes of the SHA-1
/// of the namespace GUID in network byte order followed by the name's UTF-8 bytes, with version 5 in the high nibble of
/// octet 6 and variant 10 in the high bits of octet 8, so any RFC 9562 implementation (Python's <c>uuid.uuid5</c>, for
/// one) derives the same GUID from the same namespace and key.
/// </summary>
/// <remarks>
/// Each id type passes its own namespace, so one host key gives a different GUID for each type. SHA-1 is what version 5
/// is defined on; the GUID identifies, it does not authenticate, so SHA-1's collision weakness is not a concern here.
/// </remarks>
internal static class StableGuid
{
    private const int StackLimit = 256;

    [SuppressMessage("Security", "CA5350:Do Not Use Weak Cryptographic Algorithms", Justification = "RFC 9562 version 5 is defined on SHA-1; the GUID identifies, it does not authenticate.")]
    public static Guid From(Guid namespaceId, string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        int length = 16 + Encoding.UTF8.GetByteCount(key);
        Span<byte> name = length <= StackLimit ? stackalloc byte[StackLimit] : new byte[length];
        name = name[..length];
        namespaceId.TryWriteBytes(name, bigEndian: true, out _);
        Encoding.UTF8.GetBytes(key, name[16..]);

        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(name, hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }
}
