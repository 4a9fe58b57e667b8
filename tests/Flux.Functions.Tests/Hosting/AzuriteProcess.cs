using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Flux.Functions.Tests.Hosting;

/// <summary>
/// A real Azurite (blob, queue, table): installed from npm into
/// tools/azurite when missing, started on 127.0.0.1 on free ports with a temp workspace,
/// ALWAYS with --disableTelemetry and --skipApiVersionCheck, and stopped by its PID.
/// </summary>
internal sealed class AzuriteProcess : IAsyncDisposable
{
    public const string AccountName = "devstoreaccount1";

    // Azurite's published development key (not a secret: the same in every copy of Azurite).
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private const int StartAttempts = 3;

    private readonly StringBuilder _output = new();
    private Process? _process;
    private string? _workspace;
    private int[] _ports = [];
    private string _script = "";

    public string ConnectionString { get; private set; } = "";

    public static async Task<AzuriteProcess> StartAsync()
    {
        var azurite = new AzuriteProcess();
        await azurite.InitializeAsync();
        return azurite;
    }

    private async Task InitializeAsync()
    {
        _script = await EnsureInstalledAsync();
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                _workspace = Directory.CreateTempSubdirectory("flux-azurite-").FullName;
                _ports = LoopbackPorts.FreeBelowEphemeralRange(3);
                await LaunchAsync();
                return;
            }
            catch (InvalidOperationException) when (attempt < StartAttempts)
            {
                Stop(); // a port taken between choosing and binding: choose again
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// A storage outage: stops Azurite by its PID with SIGTERM (it closes its servers and saves its
    /// database, as a restarted storage service keeps what it acknowledged), keeping the workspace.
    /// </summary>
    public async Task StopForOutageAsync()
    {
        var process = _process ?? throw new InvalidOperationException("Azurite is not running");
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await process.WaitForExitAsync(exited.Token);
        process.Dispose();
        _process = null;
    }

    /// <summary>Starts Azurite again on the same ports and workspace after <see cref="StopForOutageAsync"/>.</summary>
    public async Task RestartAsync()
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await LaunchAsync();
                return;
            }
            catch (InvalidOperationException) when (attempt < StartAttempts)
            {
                _process?.Dispose(); // a port still held by the old process's sockets: try again shortly
                _process = null;
                await Task.Delay(500);
            }
        }
    }

    private async Task LaunchAsync()
    {
        string script = _script;
        int[] ports = _ports;
        string workspace = _workspace ?? throw new InvalidOperationException("no Azurite workspace");
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workspace,
        };
        foreach (string arg in new[]
        {
            script, "--disableTelemetry", "--skipApiVersionCheck", "--silent", "--loose",
            "--blobHost", "127.0.0.1", "--blobPort", $"{ports[0]}",
            "--queueHost", "127.0.0.1", "--queuePort", $"{ports[1]}",
            "--tableHost", "127.0.0.1", "--tablePort", $"{ports[2]}",
            "--location", workspace,
        })
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitForPortsAsync(ports);
        ConnectionString =
            $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
            $"BlobEndpoint=http://127.0.0.1:{ports[0]}/{AccountName};" +
            $"QueueEndpoint=http://127.0.0.1:{ports[1]}/{AccountName};" +
            $"TableEndpoint=http://127.0.0.1:{ports[2]}/{AccountName};";
    }

    private async Task WaitForPortsAsync(int[] ports)
    {
        var deadline = Stopwatch.StartNew();
        foreach (int port in ports)
        {
            while (true)
            {
                if (_process!.HasExited)
                {
                    throw new InvalidOperationException($"Azurite exited with code {_process.ExitCode}: {Output()}");
                }

                try
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync(IPAddress.Loopback, port);
                    break;
                }
                catch (SocketException) when (deadline.Elapsed < StartTimeout)
                {
                    await Task.Delay(100);
                }
            }
        }
    }

    private void Stop()
    {
        if (_process is { } process)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
                // already gone
            }

            process.Dispose();
            _process = null;
        }

        if (_workspace is not null && Directory.Exists(_workspace))
        {
            try
            {
                Directory.Delete(_workspace, recursive: true);
            }
            catch (IOException)
            {
                // best effort: the temp folder is left for the OS to clean
            }

            _workspace = null;
        }
    }

    /// <summary>tools/azurite/node_modules/azurite, installed with `npm ci` on first use (serialized by a lock file).</summary>
    private static async Task<string> EnsureInstalledAsync()
    {
        string folder = RepoPaths.Combine("tools", "azurite");
        string script = Path.Combine(folder, "node_modules", ".bin", "azurite");
        if (File.Exists(script))
        {
            return script;
        }

        await using var installLock = await AcquireLockAsync(Path.Combine(folder, ".install.lock"));
        if (!File.Exists(script))
        {
            var npm = new ProcessStartInfo("npm") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string arg in new[] { "ci", "--prefix", folder, "--no-audit", "--no-fund" })
            {
                npm.ArgumentList.Add(arg);
            }

            using var install = Process.Start(npm) ?? throw new InvalidOperationException("npm did not start");
            var stdout = install.StandardOutput.ReadToEndAsync();
            string stderr = await install.StandardError.ReadToEndAsync();
            await install.WaitForExitAsync();
            if (install.ExitCode != 0 || !File.Exists(script))
            {
                throw new InvalidOperationException($"`npm ci --prefix {folder}` failed ({install.ExitCode}): {await stdout} {stderr}");
            }
        }

        return script;
    }

    private static async Task<FileStream> AcquireLockAsync(string path)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (deadline.Elapsed < TimeSpan.FromMinutes(5))
            {
                await Task.Delay(500);
            }
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }
}
