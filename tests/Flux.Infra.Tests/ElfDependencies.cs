using System.Buffers.Binary;
using System.Text;

namespace Flux.Infra.Tests;

/// <summary>
/// Reads the DT_NEEDED entries (the shared libraries the dynamic loader must find) of an ELF64
/// little-endian file, the format of ONNX Runtime's Linux x64 libraries.
/// </summary>
internal static class ElfDependencies
{
    private const uint SectionTypeDynamic = 6;  // SHT_DYNAMIC
    private const long TagNull = 0;             // DT_NULL ends the dynamic array
    private const long TagNeeded = 1;           // DT_NEEDED: offset of a library name in .dynstr
    private const int DynamicEntrySize = 16;    // Elf64_Dyn: d_tag, d_val

    public static IReadOnlyList<string> Needed(string path)
    {
        using var file = File.OpenRead(path);
        var header = ReadAt(file, 0, 64);
        if (!header.AsSpan(0, 4).SequenceEqual("\u007fELF"u8) || header[4] != 2 || header[5] != 1)
        {
            throw new InvalidDataException($"{path} is not a little-endian ELF64 file");
        }

        var sectionTableOffset = (long)BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(0x28));
        int sectionHeaderSize = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(0x3A));
        int sectionCount = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(0x3C));
        var sections = ReadAt(file, sectionTableOffset, sectionHeaderSize * sectionCount);

        for (var i = 0; i < sectionCount; i++)
        {
            var section = sections.AsSpan(i * sectionHeaderSize, sectionHeaderSize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(section[4..]) != SectionTypeDynamic)
            {
                continue;
            }

            var dynamic = ReadAt(file, (long)BinaryPrimitives.ReadUInt64LittleEndian(section[24..]),
                (int)BinaryPrimitives.ReadUInt64LittleEndian(section[32..]));
            var linkedStrings = sections.AsSpan((int)BinaryPrimitives.ReadUInt32LittleEndian(section[40..]) * sectionHeaderSize, sectionHeaderSize);
            var strings = ReadAt(file, (long)BinaryPrimitives.ReadUInt64LittleEndian(linkedStrings[24..]),
                (int)BinaryPrimitives.ReadUInt64LittleEndian(linkedStrings[32..]));
            return NeededNames(dynamic, strings);
        }

        throw new InvalidDataException($"{path} has no dynamic section");
    }

    private static List<string> NeededNames(byte[] dynamic, byte[] strings)
    {
        var names = new List<string>();
        for (var offset = 0; offset + DynamicEntrySize <= dynamic.Length; offset += DynamicEntrySize)
        {
            var tag = BinaryPrimitives.ReadInt64LittleEndian(dynamic.AsSpan(offset));
            if (tag == TagNull)
            {
                break;
            }

            if (tag == TagNeeded)
            {
                var start = (int)BinaryPrimitives.ReadUInt64LittleEndian(dynamic.AsSpan(offset + 8));
                var length = Array.IndexOf(strings, (byte)0, start) - start;
                names.Add(Encoding.ASCII.GetString(strings, start, length));
            }
        }

        return names;
    }

    private static byte[] ReadAt(FileStream file, long offset, int count)
    {
        var buffer = new byte[count];
        file.Position = offset;
        file.ReadExactly(buffer);
        return buffer;
    }
}
