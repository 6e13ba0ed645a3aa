package dev.hymt4j.serve;

import dev.hymt4j.tokenizer.StreamDecoder;
import dev.hymt4j.tokenizer.Tokenizer;

import java.util.List;
import java.util.function.Consumer;

/**
 * One generated sequence of a request: decodes its tokens into text as they come (a character split over
 * several tokens waits for its last byte), cuts at stop strings, times it for the metrics and hands text
 * deltas and the end to the request's event loop.
 */
final class SequenceRun implements Inference.Listener {

    /** Receives text as it is generated, on the event loop. */
    interface Deltas {
        void onText(int index, String text);
    }

    final int index;
    private final Exchange exchange;
    private final Metrics metrics;
    private final StreamDecoder decoder;
    private final StopStrings stops;
    private final Deltas deltas;
    private final Consumer<SequenceRun> onDone;
    private final StringBuilder text = new StringBuilder();
    private long firstTokenNanos, lastTokenNanos;
    private int tokens;
    private Inference.Sequence sequence;
    private boolean cancelWanted;
    private volatile Inference.Result result;

    SequenceRun(Exchange exchange, Metrics metrics, Tokenizer tokenizer, int index, List<String> stopStrings,
                Deltas deltas, Consumer<SequenceRun> onDone) {
        this.index = index;
        this.exchange = exchange;
        this.metrics = metrics;
        this.decoder = tokenizer.streamDecoder(true);
        this.stops = new StopStrings(stopStrings);
        this.deltas = deltas;
        this.onDone = onDone;
    }

    synchronized void attach(Inference.Sequence sequence) {
        this.sequence = sequence;
        if (cancelWanted) sequence.cancel();
    }

    private synchronized void cancel() {
        cancelWanted = true;
        if (sequence != null) sequence.cancel();
    }

    @Override
    public void onToken(int tokenId) {
        long now = System.nanoTime();
        if (tokens++ == 0) {
            firstTokenNanos = now;
            metrics.timeToFirstToken.observe((now - exchange.startNanos) / 1e9);
        }
        lastTokenNanos = now;
        String piece = decoder.push(tokenId);
        if (piece.isEmpty() || stops.stopped()) return;
        emit(stops.push(piece));
        if (stops.stopped()) cancel();
    }

    @Override
    public void onEnd(Inference.Result result) {
        if (!stops.stopped()) {
            emit(stops.push(decoder.finish()));
            if (!stops.stopped()) emit(stops.finish());
        }
        if (tokens >= 2) metrics.timePerOutputToken.observe((lastTokenNanos - firstTokenNanos) / 1e9 / (tokens - 1));
        this.result = result;
        exchange.onContext(() -> onDone.accept(this));
    }

    private void emit(String piece) {
        if (piece.isEmpty()) return;
        text.append(piece);
        if (deltas != null) exchange.onContext(() -> deltas.onText(index, piece));
    }

    /** The generated text (stop strings cut off); complete once the run is done. */
    String text() {
        return text.toString();
    }

    Inference.Result result() {
        return result;
    }

    int promptTokens() {
        return result.promptTokens();
    }

    int completionTokens() {
        return result.generated().length;
    }

    /** OpenAI's finish_reason: "stop" (a stop token or stop string), "length", or "cancelled". */
    String finishReason() {
        if (stops.stopped()) return "stop";
        return switch (result.finish()) {
            case STOP_TOKEN -> "stop";
            case LENGTH -> "length";
            case CANCELLED, ERROR -> "cancelled";
        };
    }

    boolean failed() {
        return result.finish() == Inference.Finish.ERROR;
    }

    /** Milliseconds from the request's arrival to this sequence's first token (-1 without tokens). */
    long timeToFirstTokenMillis() {
        return tokens == 0 ? -1 : (firstTokenNanos - exchange.startNanos) / 1_000_000;
    }

    /** Generated tokens per second after the first token (NaN with fewer than two). */
    double tokensPerSecond() {
        return tokens < 2 ? Double.NaN : (tokens - 1) / ((lastTokenNanos - firstTokenNanos) / 1e9);
    }
}
