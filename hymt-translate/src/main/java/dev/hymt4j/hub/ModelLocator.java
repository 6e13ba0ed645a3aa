package dev.hymt4j.hub;

import dev.hymt4j.gguf.GgufFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Turns a {@code --model} argument into a model folder or GGUF file: an existing folder or GGUF file is used as
 * is; a hub repo id such as {@code tencent/HY-MT1.5-1.8B} resolves to its cached snapshot of {@code main}, downloaded first when the
 * cache has no complete one. A complete cached snapshot is used without any network call, so a model works
 * offline once downloaded; {@code hymt download} fetches a newer revision explicitly.
 */
public final class ModelLocator {
    public static final String DEFAULT_REVISION = "main";

    private final HubConfig config;
    private final HubDownloader downloader;

    public ModelLocator(HubConfig config, DownloadProgress progress) {
        this.config = config;
        this.downloader = new HubDownloader(config, progress);
    }

    /** Resolves with the environment's hub settings, printing download progress to stderr. */
    public static Path resolve(String modelArg) throws IOException {
        return new ModelLocator(HubConfig.fromEnvironment(), ConsoleProgress.toStderr()).locate(modelArg);
    }

    public Path locate(String modelArg) throws IOException {
        if (modelArg == null || modelArg.isBlank()) throw new IllegalArgumentException("No model given.");
        Path path = expandHome(modelArg.trim());
        if (Files.isDirectory(path)) return path;
        if (GgufFile.isGguf(path)) return path;
        if (Files.exists(path)) {
            throw new HubException("--model " + modelArg + " is a file but not a GGUF model; pass a GGUF file or the folder"
                    + " that holds config.json, tokenizer.json and the safetensors weights.");
        }
        if (Files.isSymbolicLink(path)) {
            // A link that loops or points nowhere is a local path gone wrong, never a repo id.
            throw new HubException("--model " + modelArg + " is a symbolic link that " + (loops(path)
                    ? "loops (it leads back to itself)" : "points to " + Files.readSymbolicLink(path) + ", which does not exist"));
        }
        if (!RepoId.isValid(modelArg.trim())) {
            throw new HubException("--model " + modelArg + ": no such folder, and not a Hugging Face repo id"
                    + " (org/name, e.g. tencent/HY-MT1.5-1.8B).");
        }
        RepoId repo = new RepoId(modelArg.trim());
        Optional<Path> cached = completeSnapshot(repo);
        if (cached.isPresent()) return cached.get();
        if (config.offline()) {
            throw new HubException(ManualDownloadHelp.message("HF_HUB_OFFLINE is set and the cache at "
                    + config.cacheDir() + " holds no complete snapshot.", config, repo, DEFAULT_REVISION,
                    ModelFiles.DEFAULT_INCLUDES));
        }
        Path snapshot = downloader.download(repo, DEFAULT_REVISION, ModelFiles.DEFAULT_INCLUDES);
        List<String> missing = ModelFiles.missing(snapshot);
        if (!missing.isEmpty()) {
            throw new HubException(repo + " has no " + String.join(", ", missing) + "; is it a HY-MT1.5 model in"
                    + " safetensors format? (downloaded to " + snapshot + ")");
        }
        return snapshot;
    }

    /**
     * The local folder a {@code --model} argument names without touching the network: the path itself when
     * anything is there (a folder, a file, a link), else the complete cached snapshot of a repo id; empty when
     * the model would have to be downloaded first.
     */
    public static Optional<Path> localPath(String modelArg) throws IOException {
        if (modelArg == null || modelArg.isBlank()) return Optional.empty();
        Path path = expandHome(modelArg.trim());
        if (Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return Optional.of(path);
        if (!RepoId.isValid(modelArg.trim())) return Optional.empty();
        return new ModelLocator(HubConfig.fromEnvironment(), DownloadProgress.NONE).completeSnapshot(new RepoId(modelArg.trim()));
    }

    private static boolean loops(Path link) {
        try {
            link.toRealPath();
            return false;
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private Optional<Path> completeSnapshot(RepoId repo) throws IOException {
        Optional<Path> snapshot = downloader.cache().snapshotFor(repo, DEFAULT_REVISION);
        return snapshot.isPresent() && ModelFiles.missing(snapshot.get()).isEmpty() ? snapshot : Optional.empty();
    }

    private static Path expandHome(String arg) {
        if (arg.equals("~") || arg.startsWith("~/")) return Path.of(System.getProperty("user.home") + arg.substring(1));
        return Path.of(arg);
    }
}
