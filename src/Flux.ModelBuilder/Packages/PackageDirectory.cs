namespace Flux.ModelBuilder.Packages;

/// <summary>Writes a package folder so that readers never see a half-written one.</summary>
public static class PackageDirectory
{
    /// <summary>
    /// Runs <paramref name="write"/> on a private temporary sibling of <paramref name="target"/>, then renames it
    /// into place. With <paramref name="replace"/>, an existing target is swapped out and deleted; without it,
    /// an existing target (for example one another process finished first) is kept and false is returned.
    /// On failure the temporary folder is removed and the target is untouched.
    /// </summary>
    public static bool WriteAtomically(string target, Action<string> write, bool replace)
    {
        ArgumentNullException.ThrowIfNull(write);
        target = Path.GetFullPath(target);
        var parent = Directory.CreateDirectory(Path.GetDirectoryName(target)!).FullName;
        var name = Path.GetFileName(target);
        var temporary = Path.Combine(parent, $".{name}.{Guid.NewGuid():N}.tmp");
        var previous = Path.Combine(parent, $".{name}.{Guid.NewGuid():N}.old");
        try
        {
            write(Directory.CreateDirectory(temporary).FullName);
            if (replace && Directory.Exists(target))
            {
                Directory.Move(target, previous);
            }

            Directory.Move(temporary, target);
            return true;
        }
        catch (IOException) when (!replace && Directory.Exists(target))
        {
            return false;
        }
        finally
        {
            DeleteIfPresent(temporary);
            DeleteIfPresent(previous);
        }
    }

    /// <summary>Every file under <paramref name="directory"/> with its size, relative paths in ordinal order.</summary>
    public static IReadOnlyList<(string Path, long Bytes)> Files(string directory) =>
        [.. Directory.GetFiles(directory, "*", SearchOption.AllDirectories)
            .Select(f => (Path.GetRelativePath(directory, f).Replace('\\', '/'), new FileInfo(f).Length))
            .OrderBy(f => f.Item1, StringComparer.Ordinal)];

    private static void DeleteIfPresent(string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
