package dev.hymt4j.hub;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where the Hugging Face hub is and where its cache lives, read from the same environment variables as
 * {@code huggingface_hub}:
 * <ul>
 *   <li>{@code HF_ENDPOINT}: the hub or a mirror, default {@code https://huggingface.co};</li>
 *   <li>{@code HF_HUB_CACHE}, else {@code $HF_HOME/hub}, else {@code $XDG_CACHE_HOME/huggingface/hub}, else
 *       {@code ~/.cache/huggingface/hub};</li>
 *   <li>{@code HF_TOKEN}, else the token file {@code HF_TOKEN_PATH} / {@code $HF_HOME/token} that
 *       {@code hf auth login} writes; sent as a Bearer token to the endpoint only;</li>
 *   <li>{@code HF_HUB_OFFLINE}: {@code 1}/{@code true}/{@code yes}/{@code on} means no network at all.</li>
 * </ul>
 *
 * @param token the access token, or {@code null}
 */
public record HubConfig(URI endpoint, Path cacheDir, String token, boolean offline) {

    public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");
    private static final Set<String> TRUE_VALUES = Set.of("1", "ON", "YES", "TRUE");

    public HubConfig {
        String e = endpoint.toString();
        if (e.endsWith("/")) endpoint = URI.create(e.substring(0, e.length() - 1));
        if (token != null && token.isBlank()) token = null;
    }

    public static HubConfig fromEnvironment() {
        return fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /** The configuration these environment variables describe, for a user whose home is {@code home}. */
    public static HubConfig fromEnvironment(Map<String, String> env, Path home) {
        String endpointVar = env.getOrDefault("HF_ENDPOINT", "").trim();
        URI endpoint = endpointVar.isEmpty() ? DEFAULT_ENDPOINT : URI.create(endpointVar);
        Path hfHome = env.containsKey("HF_HOME") ? Path.of(env.get("HF_HOME"))
                : env.containsKey("XDG_CACHE_HOME") ? Path.of(env.get("XDG_CACHE_HOME"), "huggingface")
                : home.resolve(".cache").resolve("huggingface");
        Path cache = env.containsKey("HF_HUB_CACHE") ? Path.of(env.get("HF_HUB_CACHE")) : hfHome.resolve("hub");
        String token = env.get("HF_TOKEN");
        if (token == null || token.isBlank()) {
            Path tokenFile = env.containsKey("HF_TOKEN_PATH") ? Path.of(env.get("HF_TOKEN_PATH")) : hfHome.resolve("token");
            token = readTokenFile(tokenFile);
        }
        boolean offline = TRUE_VALUES.contains(env.getOrDefault("HF_HUB_OFFLINE", "").trim().toUpperCase(Locale.ROOT));
        return new HubConfig(endpoint, cache, token == null ? null : token.trim(), offline);
    }

    private static String readTokenFile(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.readString(file) : null;
        } catch (IOException e) {
            return null; // an unreadable token file means "no token", as in huggingface_hub
        }
    }

    public boolean hasToken() {
        return token != null;
    }

    /** Keeps the token out of logs and error messages. */
    @Override
    public String toString() {
        return "HubConfig[endpoint=" + endpoint + ", cacheDir=" + cacheDir + ", token=" + (hasToken() ? "***" : "none")
                + ", offline=" + offline + "]";
    }
}
