package dev.hymt4j.train;

import dev.hymt4j.train.testing.ChildJvm;

import java.nio.file.Path;

/**
 * {@code hymt train} on {@link TinyTraining}'s setup in a child JVM, announcing the points where a test may kill
 * it: {@code step N} once step N is done, and {@code checkpoint N: wrote FILE} while checkpoint N is being written.
 * Arguments: {@code SETUP_DIR OUTPUT_DIR [--resume] [--pause-at LABEL] [--set KEY=VALUE]...}.
 */
public final class TrainerChild {
    public static void main(String[] args) throws Exception {
        Path setup = Path.of(args[0]), output = Path.of(args[1]);
        boolean resume = false;
        String pauseAt = null;
        java.util.List<String> settings = new java.util.ArrayList<>(TinyTraining.overrides(setup, output));
        for (int i = 2; i < args.length; i++) {
            switch (args[i]) {
                case "--resume" -> resume = true;
                case "--pause-at" -> pauseAt = args[++i];
                case "--set" -> settings.add(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        String pause = pauseAt;
        Trainer.Listener killPoints = new Trainer.Listener() {
            @Override
            public void stepDone(long step) {
                ChildJvm.killPoint("step " + step, pause);
            }

            @Override
            public void checkpointFileWritten(long step, String file) {
                ChildJvm.killPoint("checkpoint " + step + ": wrote " + file, pause);
            }
        };
        new Trainer(TrainingConfig.fromOverrides(settings), System.out, killPoints).run(resume);
        System.out.println("done");
    }
}
