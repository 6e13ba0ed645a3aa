package dev.hymt4j.hub;

import java.util.List;

/**
 * The message for a user who cannot download automatically (offline, no network, a blocked host): which files
 * to fetch by hand, from where, and where to put them.
 */
final class ManualDownloadHelp {
    private ManualDownloadHelp() {}

    /**
     * @param files the files to fetch; when the repository listing is unknown, the default selection
     */
    static String message(String reason, HubConfig config, RepoId repo, String revision, List<String> files) {
        String baseUrl = config.endpoint() + "/" + repo.id() + "/resolve/" + revision + "/";
        StringBuilder out = new StringBuilder();
        out.append("Cannot download ").append(repo).append(": ").append(reason).append('\n');
        out.append("Download these files by hand (e.g. with a browser on a connected machine):\n");
        for (String file : files) {
            if (file.contains("*")) {
                out.append("  every file matching ").append(file).append(" listed at ").append(config.endpoint())
                        .append('/').append(repo.id()).append("/tree/").append(revision).append('\n');
            } else {
                out.append("  ").append(baseUrl).append(file).append('\n');
            }
        }
        out.append("Required: config.json, tokenizer.json and the weights (model.safetensors, or ")
                .append(ModelFiles.WEIGHTS_INDEX).append(" plus every shard it names); the rest is recommended.\n");
        out.append("Then either put them in one folder and pass it:  --model /path/to/folder\n");
        out.append("or place them in the hub cache, where --model ").append(repo).append(" finds them:\n");
        out.append("  ").append(config.cacheDir().resolve(repo.cacheFolderName()).resolve("snapshots").resolve("manual"))
                .append("/<file>\n");
        out.append("  and write the word 'manual' (no newline) into ")
                .append(config.cacheDir().resolve(repo.cacheFolderName()).resolve("refs").resolve(revision));
        return out.toString();
    }
}
