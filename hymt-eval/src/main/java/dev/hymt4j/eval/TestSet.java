package dev.hymt4j.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * Hypotheses and reference streams read from files, with line counts checked: every file must have
 * as many segments as the hypothesis file (sacreBLEU would silently cut to the shortest).
 */
public record TestSet(List<String> hyps, List<List<String>> refStreams) {

    public static TestSet read(SegmentFile hypFile, List<SegmentFile> refFiles) {
        if (refFiles.isEmpty()) throw new EvalInputException("no reference file given");
        List<String> hyps = hypFile.read();
        // Scores of nothing (BLEU 0, TER 0.00) would look like a result; there is nothing to evaluate.
        if (hyps.isEmpty()) throw new EvalInputException(hypFile.name() + ": no segments to score (the file is empty)");
        for (int i = 0; i < hyps.size(); i++) {
            if (hyps.get(i) == null) {
                throw new EvalInputException(hypFile.path() + ":" + (i + 1) + ": hypothesis is null");
            }
        }
        List<List<String>> refs = new ArrayList<>();
        for (SegmentFile refFile : refFiles) {
            List<String> stream = refFile.read();
            if (stream.size() != hyps.size()) {
                throw new EvalInputException("line counts differ: hypotheses " + hypFile.name() + " has "
                        + hyps.size() + ", references " + refFile.name() + " has " + stream.size());
            }
            refs.add(stream);
        }
        return new TestSet(hyps, refs);
    }
}
