package dev.hymt4j.io;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * What one command reads and what it writes, declared before it does any work and checked as a whole, so that
 * no command ever writes to one of its inputs and none replaces other work unasked.
 *
 * <pre>{@code
 * new PathPlan()
 *         .reads("--model", modelDir)            // a file, or a directory and everything under it
 *         .reads("--in", inputFile)
 *         .writesFile("--out", outputFile)       // written under a temporary name and renamed (AtomicFile)
 *         .force(force)                          // --force: existing outputs may be replaced
 *         .check();                              // throws UnsafePathException, naming the options and paths
 * }</pre>
 *
 * <p>Every path is resolved first (symbolic links and {@code ..}; for an output that does not exist yet, its
 * nearest existing parent), so a symlink, a hard link or a relative spelling of an input is recognised as that
 * input. An input directory stands for every file under it, including the targets of the links it holds (a
 * Hugging Face cache snapshot links to its blobs). Refused:
 * <ul>
 *   <li>an output that is an input, is inside an input directory, or (a directory output) contains an input;</li>
 *   <li>two outputs at the same place;</li>
 *   <li>without {@code force}: an output file that exists and is not empty, an output directory that holds
 *       anything, or named output files of a shared directory ({@link #writesFilesIn}) that exist and are not empty;</li>
 *   <li>a path that cannot work: a symbolic link that loops or points nowhere, a file where a directory goes
 *       and the reverse, an output location that is not writable.</li>
 * </ul>
 * Inputs that do not exist are left to the command, which knows what it expected to find.
 */
public final class PathPlan {
    /** How many entries of an input directory are resolved (model and data folders hold far fewer). */
    private static final int MAX_DIRECTORY_ENTRIES = 20_000;

    private enum Kind { FILE, DIRECTORY, FILES_IN_DIRECTORY }

    private record Input(String what, Path path) {}

    private record Output(String what, Path path, Kind kind, List<String> files, boolean mayExist) {}

    /** A location on disk: its real path, file key (hard links share it) and whether it is a directory. */
    private record Place(Path real, Object fileKey, boolean directory) {}

    /** A resolved input: its own place and, for a directory, the places of everything under it. */
    private record ResolvedInput(Input input, Place place, List<Place> contents) {}

    private final List<Input> inputs = new ArrayList<>();
    private final List<Output> outputs = new ArrayList<>();
    private boolean force;

    /** A file or directory the command reads; {@code what} is how the user named it, e.g. {@code --model}. */
    public PathPlan reads(String what, Path path) {
        if (path != null) inputs.add(new Input(what, path));
        return this;
    }

    /** One file the command writes, e.g. {@code --out translations.txt}. */
    public PathPlan writesFile(String what, Path file) {
        if (file != null) outputs.add(new Output(what, file, Kind.FILE, List.of(), false));
        return this;
    }

    /** A directory the command fills and owns as a whole (a merged model, a training run). */
    public PathPlan writesDirectory(String what, Path dir) {
        return writesDirectory(what, dir, false);
    }

    /**
     * As {@link #writesDirectory(String, Path)}; {@code mayExist} lets the command continue what the directory
     * holds ({@code train --resume}), the command then checking that it is its own kind of work.
     */
    public PathPlan writesDirectory(String what, Path dir, boolean mayExist) {
        if (dir != null) outputs.add(new Output(what, dir, Kind.DIRECTORY, List.of(), mayExist));
        return this;
    }

    /** Named files in a directory that may hold other things, e.g. {@code prepare --out data}'s splits. */
    public PathPlan writesFilesIn(String what, Path dir, Collection<String> fileNames) {
        if (dir != null) outputs.add(new Output(what, dir, Kind.FILES_IN_DIRECTORY, List.copyOf(fileNames), false));
        return this;
    }

    /** Whether existing outputs may be replaced ({@code --force}). Overlaps with inputs are refused regardless. */
    public PathPlan force(boolean force) {
        this.force = force;
        return this;
    }

    /** Checks the plan; see the class comment for what is refused. */
    public void check() throws UnsafePathException {
        List<ResolvedInput> resolved = new ArrayList<>();
        for (Input in : inputs) resolved.add(resolve(in));
        List<Place> outputPlaces = new ArrayList<>();
        for (Output out : outputs) {
            Place place = outputPlace(out.what, out.path);
            for (ResolvedInput in : resolved) checkAgainstInput(out, place, in);
            for (int i = 0; i < outputPlaces.size(); i++) checkAgainstOutput(out, place, outputs.get(i), outputPlaces.get(i));
            outputPlaces.add(place);
            checkExisting(out, place);
        }
    }

    // ---- resolution --------------------------------------------------------------------------------------

    private static ResolvedInput resolve(Input in) throws UnsafePathException {
        if (!Files.exists(in.path, LinkOption.NOFOLLOW_LINKS)) return new ResolvedInput(in, null, List.of());
        Place place = existingPlace(in.what, in.path);
        if (place == null) return new ResolvedInput(in, null, List.of());
        List<Place> contents = new ArrayList<>();
        if (place.directory) {
            try (Stream<Path> walk = Files.walk(place.real)) {
                for (Path p : (Iterable<Path>) walk.skip(1).limit(MAX_DIRECTORY_ENTRIES)::iterator) {
                    Place entry = entryPlace(p);
                    if (entry != null) contents.add(entry);
                }
            } catch (IOException | RuntimeException e) {
                // An unreadable corner of an input directory: the command reports it when it reads there.
            }
        }
        return new ResolvedInput(in, place, contents);
    }

    /** The place of an existing path, following links; refuses links that loop or lead nowhere. */
    private static Place existingPlace(String what, Path path) throws UnsafePathException {
        try {
            Path real = path.toRealPath();
            BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class);
            return new Place(real, a.fileKey(), a.isDirectory());
        } catch (NoSuchFileException e) {
            if (Files.isSymbolicLink(path)) throw new UnsafePathException(what + " " + path + ": a symbolic link to "
                    + linkTarget(path) + ", which does not exist");
            return null;
        } catch (FileSystemException e) {
            throw new UnsafePathException(what + " " + path + ": " + fileSystemReason(e));
        } catch (IOException e) {
            throw new UnsafePathException(what + " " + path + ": cannot be read (" + e.getMessage() + ")");
        }
    }

    /** An entry under an input directory; entries that cannot be resolved are skipped. */
    private static Place entryPlace(Path p) {
        try {
            Path real = p.toRealPath();
            BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class);
            return new Place(real, a.fileKey(), a.isDirectory());
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Where an output lands: the real path of the path itself when it exists (through its links), else the real
     * path of its nearest existing parent joined with the rest.
     */
    private static Place outputPlace(String what, Path path) throws UnsafePathException {
        Path absolute = path.toAbsolutePath();
        if (Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
            Place place = existingPlace(what, path);
            if (place != null) return place;
        }
        // Walk up to the first existing parent; the names below it do not exist, so they hold no links.
        Path existing = absolute.getParent();
        List<Path> rest = new ArrayList<>(List.of(absolute.getFileName()));
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            rest.addFirst(existing.getFileName());
            existing = existing.getParent();
        }
        if (existing == null) throw new UnsafePathException(what + " " + path + ": no part of this path exists");
        Place parent = existingPlace(what, existing);
        if (parent == null) throw new UnsafePathException(what + " " + path + ": " + existing + " cannot be resolved");
        if (!parent.directory) {
            throw new UnsafePathException(what + " " + path + ": " + existing + " is a file, not a directory");
        }
        if (!Files.isWritable(parent.real)) {
            throw new UnsafePathException(what + " " + path + ": permission denied (cannot create files in " + existing + ")");
        }
        Path real = parent.real;
        for (Path name : rest) real = real.resolve(name);
        return new Place(real.normalize(), null, false);
    }

    private static String linkTarget(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            return "?";
        }
    }

    private static String fileSystemReason(FileSystemException e) {
        String reason = e.getReason() == null ? "" : e.getReason();
        if (reason.contains("symbolic links")) return "a symbolic link that loops (it leads back to itself)";
        if (reason.contains("Permission denied")) return "permission denied";
        return reason.isEmpty() ? "cannot be resolved" : reason;
    }

    // ---- checks ------------------------------------------------------------------------------------------

    private static void checkAgainstInput(Output out, Place place, ResolvedInput in) throws UnsafePathException {
        if (in.place == null) return;
        if (out.kind == Kind.FILES_IN_DIRECTORY) {
            String collision = collision(place, in, false);
            if (collision != null) throw refused(out.what + " " + out.path + " " + collision + described(in));
            for (String name : out.files) {
                Path file = out.path.resolve(name);
                collision = collision(outputPlace(out.what, file), in, false);
                if (collision != null) {
                    throw refused(out.what + " " + out.path + " would replace " + file + ", which " + collision + described(in));
                }
            }
            return;
        }
        String collision = collision(place, in, out.kind == Kind.DIRECTORY);
        if (collision != null) {
            String link = Files.isSymbolicLink(out.path) ? " (a symbolic link to " + place.real + ")" : "";
            throw refused(out.what + " " + out.path + link + " " + collision + described(in));
        }
    }

    /** How an output at {@code place} collides with an input, as a verb phrase, or null when it does not. */
    private static String collision(Place place, ResolvedInput in, boolean outputIsDirectory) {
        if (samePlace(place, in.place)) return "is the input";
        for (Place p : in.contents) if (samePlace(place, p)) return "is a file of the input";
        if (in.place.directory && isUnder(place.real, in.place.real)) return "is inside the input directory";
        for (Place p : in.contents) {
            if (p.directory && isUnder(place.real, p.real)) return "is inside a directory linked from the input";
        }
        if (outputIsDirectory) {
            if (isUnder(in.place.real, place.real)) return "contains the input";
            for (Place p : in.contents) if (isUnder(p.real, place.real)) return "contains a file of the input";
        }
        return null;
    }

    private static boolean isUnder(Path path, Path dir) {
        return path.startsWith(dir) && !path.equals(dir);
    }

    private static boolean samePlace(Place a, Place b) {
        return a.real.equals(b.real) || a.fileKey != null && Objects.equals(a.fileKey, b.fileKey);
    }

    private static String described(ResolvedInput in) {
        Path given = in.input.path;
        String real = in.place.real.equals(given.toAbsolutePath().normalize()) ? "" : " (" + in.place.real + ")";
        return " " + in.input.what + " " + given + real + "; outputs must not overlap inputs (nothing was written)";
    }

    private static void checkAgainstOutput(Output out, Place place, Output other, Place otherPlace) throws UnsafePathException {
        boolean clash = place.real.equals(otherPlace.real)
                || other.kind != Kind.FILE && place.real.startsWith(otherPlace.real)
                || out.kind != Kind.FILE && otherPlace.real.startsWith(place.real);
        if (clash) {
            throw refused(out.what + " " + out.path + " and " + other.what + " " + other.path
                    + " overlap; give each output its own place (nothing was written)");
        }
    }

    private void checkExisting(Output out, Place place) throws UnsafePathException {
        Path p = out.path;
        if (!Files.exists(p)) return;
        boolean directory = Files.isDirectory(p);
        switch (out.kind) {
            case FILE -> {
                if (directory) throw refused(out.what + " " + p + " is a directory; expected a file name");
                long size = size(p);
                if (size > 0 && !force) {
                    throw refused(out.what + " " + p + " already exists (" + size + " bytes); add --force to replace it");
                }
            }
            case DIRECTORY -> {
                if (!directory) throw refused(out.what + " " + p + " is a file; expected a directory");
                List<String> held = entries(p);
                if (!held.isEmpty() && !force && !out.mayExist) {
                    throw refused(out.what + " " + p + " already holds " + describeEntries(held)
                            + "; add --force to replace it");
                }
            }
            case FILES_IN_DIRECTORY -> {
                if (!directory) throw refused(out.what + " " + p + " is a file; expected a directory");
                List<String> existing = new ArrayList<>();
                for (String name : out.files) {
                    Path f = p.resolve(name);
                    if (Files.isDirectory(f)) throw refused(out.what + " " + p + ": " + f + " is a directory; expected a file");
                    if (Files.exists(f) && size(f) > 0) existing.add(name);
                }
                if (!existing.isEmpty() && !force) {
                    throw refused(out.what + " " + p + " already holds " + String.join(", ", existing)
                            + " from earlier work; add --force to replace " + (existing.size() == 1 ? "it" : "them"));
                }
            }
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    private static List<String> entries(Path dir) {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(f -> f.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String describeEntries(List<String> names) {
        String shown = String.join(", ", names.subList(0, Math.min(3, names.size())));
        return names.size() + (names.size() == 1 ? " entry (" : " entries (") + shown + (names.size() > 3 ? ", ..." : "") + ")";
    }

    private static UnsafePathException refused(String message) {
        return new UnsafePathException(message);
    }
}
