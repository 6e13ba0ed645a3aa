package dev.hymt4j.cli;

import dev.hymt4j.hub.ConsoleProgress;
import dev.hymt4j.hub.HubConfig;
import dev.hymt4j.hub.HubDownloader;
import dev.hymt4j.hub.ModelFiles;
import dev.hymt4j.hub.RepoId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code hymt download REPO_ID}: fetches a model into the Hugging Face hub cache and prints its folder. */
@Command(name = "download", mixinStandardHelpOptions = true,
        description = {
                "Download a model from the Hugging Face hub into its cache (the layout huggingface_hub uses) and print"
                        + " the snapshot folder. Partial downloads resume; LFS files are checked against their sha256.",
                "Environment: HF_ENDPOINT (mirror), HF_HOME / HF_HUB_CACHE (cache), HF_TOKEN (gated or private"
                        + " models), HF_HUB_OFFLINE=1 (no network)."})
public final class DownloadCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "REPO_ID", description = "Model repository, e.g. tencent/HY-MT1.5-1.8B.")
    String repoId;

    @Option(names = "--revision", paramLabel = "R", defaultValue = "main",
            description = "Branch, tag or commit hash (default: ${DEFAULT-VALUE}).")
    String revision;

    @Option(names = "--include", paramLabel = "GLOB", arity = "1..*",
            description = "Only files matching these globs (default: config, generation config, tokenizer files,"
                    + " chat template and *.safetensors with index).")
    List<String> include;

    @Override
    public Integer call() throws Exception {
        RepoId repo = new RepoId(repoId);
        List<String> globs = include == null || include.isEmpty() ? ModelFiles.DEFAULT_INCLUDES : include;
        HubDownloader downloader = new HubDownloader(HubConfig.fromEnvironment(), new ConsoleProgress(spec.commandLine().getErr()));
        Path snapshot = downloader.download(repo, revision, globs);
        spec.commandLine().getOut().println(snapshot);
        return 0;
    }
}
