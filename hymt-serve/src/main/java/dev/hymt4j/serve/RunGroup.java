package dev.hymt4j.serve;

import dev.hymt4j.generate.GenerationConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The sequences of one request (several texts, n choices, alternatives), submitted together: the request is
 * answered when all have ended. A full queue turns the whole request away with 503 (the sequences already
 * queued are cancelled), so a request is never half served. A failed sequence fails the request with 500.
 */
final class RunGroup {

    /** One sequence to generate. */
    record Spec(int[] prompt, GenerationConfig config, String adapter, List<String> stops) {}

    private RunGroup() {}

    /**
     * Submits every spec; {@code whenDone} gets the runs in spec order, on the event loop, once all have ended
     * (never when the client went away or the request was refused).
     */
    static void start(Exchange exchange, Inference inference, Metrics metrics, List<Spec> specs,
                      SequenceRun.Deltas deltas, Consumer<List<SequenceRun>> whenDone) {
        List<SequenceRun> runs = new ArrayList<>();
        if (specs.isEmpty()) {
            whenDone.accept(runs);
            return;
        }
        int[] remaining = {specs.size()};
        boolean[] refused = {false};
        Consumer<SequenceRun> onDone = run -> {
            if (--remaining[0] > 0 || refused[0]) return;
            for (SequenceRun r : runs) {
                if (r.failed()) {
                    exchange.fail(new ApiException(500, "server_error", "generation_failed", null,
                            "generation failed: " + r.result().error()));
                    return;
                }
            }
            whenDone.accept(runs);
        };
        for (int i = 0; i < specs.size(); i++) {
            Spec spec = specs.get(i);
            SequenceRun run = new SequenceRun(exchange, metrics, inference.tokenizer(), i, spec.stops(), deltas, onDone);
            runs.add(run);
            try {
                Inference.Sequence sequence = inference.submit(spec.prompt(), spec.config(), spec.adapter(), run);
                run.attach(sequence);
                exchange.own(sequence);
            } catch (Inference.QueueFullException e) {
                refused[0] = true;
                exchange.cancelAll();
                metrics.rejected();
                exchange.fail(ApiException.unavailable(e.getMessage()));
                return;
            }
        }
    }
}
