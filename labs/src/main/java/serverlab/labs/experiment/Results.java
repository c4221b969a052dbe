package serverlab.labs.experiment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.csv.CsvReadOptions;

/** Saving experiment tables to CSV and loading them back, so slow sweeps need to run only once. */
public final class Results {

    private Results() {
    }

    /** Writes {@code table} as CSV (header row, comma-separated), creating parent directories. */
    public static Path save(Table table, Path file) {
        try {
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            table.write().csv(file.toFile());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /**
     * Reads a CSV written by {@link #save}. Sweep tables get their original column types
     * back (text columns stay text even when every value looks like a number, or is empty).
     */
    public static Table load(Path file) {
        try {
            String headerLine;
            try (var reader = Files.newBufferedReader(file)) {
                headerLine = reader.readLine();
            }
            var options = CsvReadOptions.builder(file.toFile()).tableName(baseName(file));
            if (headerLine != null && java.util.List.of(headerLine.split(",", -1)).equals(Sweep.COLUMNS)) {
                Table schema = Sweep.emptyTable();
                ColumnType[] types = schema.columns().stream().map(c -> c.type()).toArray(ColumnType[]::new);
                options.columnTypes(types);
            }
            return Table.read().csv(options.build());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static String baseName(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".csv") ? name.substring(0, name.length() - 4) : name;
    }
}
