package dev.hymt4j.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The model ids the server answers to: the base model's id (e.g. {@code hy-mt1.5-1.8b}) and {@code base:adapter}
 * for each loaded adapter. A request picks the base model (no {@code model}, or the base id) or an adapter
 * ({@code "model": "hy-mt1.5-1.8b:legal"}, or {@code "adapter": "legal"}); anything else is a 404 listing the ids,
 * as vLLM answers, rather than silently serving another model.
 */
record ModelNames(String base, Set<String> adapters) {

    List<String> ids() {
        List<String> ids = new ArrayList<>();
        ids.add(base);
        adapters.stream().sorted().forEach(a -> ids.add(base + ":" + a));
        return ids;
    }

    /** The adapter a request names (null: the base model). */
    String adapterFor(String model, String adapter) {
        String fromModel = null;
        if (model != null && !model.equals(base)) {
            String prefix = base + ":";
            if (!model.startsWith(prefix) || !adapters.contains(model.substring(prefix.length()))) {
                throw ApiException.notFound("model_not_found", "the model '" + model + "' does not exist; this server has "
                        + String.join(", ", ids()));
            }
            fromModel = model.substring(prefix.length());
        }
        if (adapter != null && !adapter.isEmpty()) {
            if (!adapters.contains(adapter)) {
                throw ApiException.notFound("adapter_not_found", "no adapter named '" + adapter + "'; loaded adapters: "
                        + (adapters.isEmpty() ? "none" : String.join(", ", adapters.stream().sorted().toList())));
            }
            if (fromModel != null && !fromModel.equals(adapter)) {
                throw ApiException.invalid("adapter", "model '" + model + "' and adapter '" + adapter + "' disagree");
            }
            return adapter;
        }
        return fromModel;
    }

    /** The id a response reports for a request served by {@code adapter}. */
    String idOf(String adapter) {
        return adapter == null ? base : base + ":" + adapter;
    }
}
