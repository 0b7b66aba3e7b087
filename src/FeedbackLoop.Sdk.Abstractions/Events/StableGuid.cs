using System.Security.Cryptography;
using System.Text;

namespace FeedbackLoop;

/// <summary>Derives a GUID from the first 16 bytes of the SHA-256 of a UTF-8 key.</summary>
internal static class StableGuid
{
    public static Guid From(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        return new Guid(hash[..16]);
    }
}
