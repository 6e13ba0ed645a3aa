package dev.hymt4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hymt4j.tokenizer.BpeTrainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerTokenCounterTest {
    @TempDir Path dir;

    @Test
    void countsWhatTheTokenizerProduces() throws IOException {
        List<String> texts = Collections.nCopies(20, "Open the file and save the document. 打开文件并保存文档。");
        new BpeTrainer(500).train(texts).writeTo(dir);
        var counter = TokenizerTokenCounter.load(dir);
        assertEquals(0, counter.count(""));
        // Words of the training text are single tokens; an unseen string falls apart into its bytes.
        assertEquals(8, counter.count("Open the file and save the document."));
        assertEquals(1, counter.count(" document"));
        assertEquals(6, counter.count("zqxjvk"));
        assertEquals(counter.count("打开文件并保存文档。"), TokenizerTokenCounter.load(dir.resolve("tokenizer.json")).count("打开文件并保存文档。"));

        // The length rule counts with it: the estimate calls the unseen word 2 tokens, the tokenizer 6.
        var pair = ParallelExample.of("zqxjvk", "打开", "en", "zh");
        assertEquals(2, new ApproximateTokenCounter().count("zqxjvk"));
        assertFalse(new TokenLengthRule(new ApproximateTokenCounter(), 1, 5).problem(pair).isPresent());
        assertEquals("source has 6 tokens > 5", new TokenLengthRule(counter, 1, 5).problem(pair).orElseThrow());
        assertTrue(new TokenLengthRule(counter, 1, 8).problem(ParallelExample.of("Open the file and save the document.", "打开", "en", "zh")).isEmpty());
    }
}
