package dev.hymt4j.hub;

import java.util.regex.Pattern;

/** A model repository id on the hub, {@code org/name}. */
public record RepoId(String id) {
    // The hub's own rules: letters, digits, '-', '_', '.'; no "--" or ".." (they would clash with the cache layout).
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*");

    public RepoId {
        if (!isValid(id)) {
            throw new IllegalArgumentException("'" + id + "' is not a Hugging Face repo id (expected org/name, e.g."
                    + " tencent/HY-MT1.5-1.8B)");
        }
    }

    public static boolean isValid(String id) {
        return id != null && VALID.matcher(id).matches() && !id.contains("--") && !id.contains("..");
    }

    /** The repo's folder in the hub cache: {@code models--org--name}. */
    public String cacheFolderName() {
        return "models--" + id.replace("/", "--");
    }

    @Override
    public String toString() {
        return id;
    }
}
