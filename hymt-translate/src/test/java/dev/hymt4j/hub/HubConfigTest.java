package dev.hymt4j.hub;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HubConfigTest {
    private static final Path HOME = Path.of("/home/u");

    @Test
    void defaults() {
        HubConfig c = HubConfig.fromEnvironment(Map.of(), HOME);
        assertEquals(URI.create("https://huggingface.co"), c.endpoint());
        assertEquals(Path.of("/home/u/.cache/huggingface/hub"), c.cacheDir());
        assertNull(c.token());
        assertFalse(c.offline());
    }

    @Test
    void cacheFolderPrecedence() {
        assertEquals(Path.of("/x/huggingface/hub"), HubConfig.fromEnvironment(Map.of("XDG_CACHE_HOME", "/x"), HOME).cacheDir());
        assertEquals(Path.of("/hf/hub"), HubConfig.fromEnvironment(Map.of("HF_HOME", "/hf", "XDG_CACHE_HOME", "/x"), HOME).cacheDir());
        assertEquals(Path.of("/c"), HubConfig.fromEnvironment(Map.of("HF_HUB_CACHE", "/c", "HF_HOME", "/hf"), HOME).cacheDir());
    }

    @Test
    void endpointMirrorOfflineAndToken() {
        HubConfig c = HubConfig.fromEnvironment(Map.of("HF_ENDPOINT", "https://hf-mirror.com/", "HF_HUB_OFFLINE", "1",
                "HF_TOKEN", "hf_abc"), HOME);
        assertEquals(URI.create("https://hf-mirror.com"), c.endpoint());
        assertTrue(c.offline());
        assertEquals("hf_abc", c.token());
        assertFalse(c.toString().contains("hf_abc"));
        assertTrue(HubConfig.fromEnvironment(Map.of("HF_HUB_OFFLINE", "true"), HOME).offline());
        assertFalse(HubConfig.fromEnvironment(Map.of("HF_HUB_OFFLINE", "0"), HOME).offline());
    }

    @Test
    void tokenFileWrittenByHfLogin(@TempDir Path hfHome) throws Exception {
        Files.writeString(hfHome.resolve("token"), "hf_fromfile\n");
        assertEquals("hf_fromfile", HubConfig.fromEnvironment(Map.of("HF_HOME", hfHome.toString()), HOME).token());
        assertEquals("hf_env", HubConfig.fromEnvironment(Map.of("HF_HOME", hfHome.toString(), "HF_TOKEN", "hf_env"), HOME).token());
    }

    @Test
    void repoIds() {
        assertEquals("models--tencent--HY-MT1.5-1.8B", new RepoId("tencent/HY-MT1.5-1.8B").cacheFolderName());
        for (String bad : new String[] {"HY-MT1.5-1.8B", "a/b/c", "../x", "/abs/path", "a--b/c", "a/..", "./model"}) {
            assertFalse(RepoId.isValid(bad), bad);
            assertThrows(IllegalArgumentException.class, () -> new RepoId(bad));
        }
    }
}
