package serverlab.kernel.magic;

import eu.maveniverse.maven.mima.context.Context;
import eu.maveniverse.maven.mima.context.ContextOverrides;
import eu.maveniverse.maven.mima.context.Runtimes;
import org.eclipse.aether.DefaultRepositorySystemSession;
import org.eclipse.aether.RepositoryException;
import org.eclipse.aether.RepositorySystemSession;
import org.eclipse.aether.artifact.Artifact;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.collection.CollectRequest;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.resolution.DependencyRequest;
import org.eclipse.aether.resolution.DependencyResult;
import org.eclipse.aether.util.artifact.JavaScopes;
import org.eclipse.aether.util.filter.DependencyFilterUtils;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Resolves Maven coordinates to jars for {@code %maven}, the way {@code mvn} would: the user's
 * {@code ~/.m2/settings.xml} (mirrors, proxies, offline mode, profiles' repositories), the local
 * repository {@code ~/.m2/repository}, and Maven Central as the default remote. Stricter than
 * {@code mvn} on one point: repositories declared in dependencies' POMs are ignored.
 */
public final class MavenResolver {

    static final String COORDINATE_FORMAT = "group:artifact[:extension[:classifier]]:version";

    private MavenResolver() {
    }

    /** Thrown when the coordinates are well-formed but the artifact or one of its dependencies cannot be resolved. */
    public static final class ResolutionException extends IOException {
        ResolutionException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The artifact's file followed by its runtime dependencies' files, in Maven's classpath order.
     *
     * @throws IllegalArgumentException if {@code coordinates} is not {@value #COORDINATE_FORMAT}
     * @throws ResolutionException naming the artifact and the repositories tried
     */
    public static List<Path> resolve(String coordinates) throws ResolutionException {
        return resolve(coordinates, ContextOverrides.create().withUserSettings(true));
    }

    /** {@link #resolve(String)} with the given settings (tests name their own settings.xml and local repository). */
    static List<Path> resolve(String coordinates, ContextOverrides.Builder settings) throws ResolutionException {
        Artifact artifact = parse(coordinates);
        ContextOverrides overrides = settings
                // A downloaded file must match its checksum (Maven 3.8.1+ only warns by default; fail, as --strict-checksums).
                .checksumPolicy(ContextOverrides.ChecksumPolicy.FAIL)
                .build();
        try (Context context = Runtimes.INSTANCE.getRuntime().create(overrides)) {
            refuseInsecure(context.remoteRepositories());
            // Only the user's settings choose repositories: a dependency's POM cannot add one.
            // (MIMA's ignoreArtifactDescriptorRepositories override did not reach the dependency collector.)
            RepositorySystemSession session = new DefaultRepositorySystemSession(context.repositorySystemSession())
                    .setIgnoreArtifactDescriptorRepositories(true);
            CollectRequest collect = new CollectRequest(
                    new Dependency(artifact, JavaScopes.RUNTIME), context.remoteRepositories());
            DependencyRequest request = new DependencyRequest(
                    collect, DependencyFilterUtils.classpathFilter(JavaScopes.RUNTIME));
            DependencyResult result;
            try {
                result = context.repositorySystem().resolveDependencies(session, request);
            } catch (RepositoryException e) {
                throw new ResolutionException("cannot resolve " + artifact + " from "
                        + describe(context.remoteRepositories()) + " (local repository "
                        + context.repositorySystemSession().getLocalRepository().getBasedir() + "): "
                        + rootMessage(e), e);
            }
            List<Path> files = new ArrayList<>();
            for (ArtifactResult artifactResult : result.getArtifactResults()) {
                files.add(artifactResult.getArtifact().getFile().toPath());
            }
            return List.copyOf(files);
        }
    }

    /** Maven 3.8.1+ blocks http:// repositories: anyone on the path could swap the jars. Local directories are fine. */
    private static void refuseInsecure(List<RemoteRepository> repositories) throws ResolutionException {
        for (RemoteRepository repository : repositories) {
            String url = repository.getUrl();
            if (!url.startsWith("https://") && !url.startsWith("file:")) {
                throw new ResolutionException("refusing repository " + repository.getId() + " (" + url
                        + "): only https:// (or a local file:) repository may be used; fix the URL in ~/.m2/settings.xml", null);
            }
        }
    }

    static Artifact parse(String coordinates) {
        String trimmed = coordinates == null ? "" : coordinates.strip();
        String[] parts = trimmed.split(":", -1);
        boolean wellFormed = parts.length >= 3 && parts.length <= 5;
        for (int i = 0; wellFormed && i < parts.length; i++) {
            // An empty classifier (g:a:jar::1.0) is legal in Maven's syntax; nothing else may be empty.
            boolean emptyAllowed = parts.length == 5 && i == 3;
            wellFormed = (emptyAllowed || !parts[i].isEmpty()) && parts[i].chars().noneMatch(Character::isWhitespace);
        }
        if (!wellFormed) {
            throw new IllegalArgumentException("expected " + COORDINATE_FORMAT + " (e.g. org.apache.commons:commons-lang3:3.14.0), got '"
                    + coordinates + "'");
        }
        return new DefaultArtifact(trimmed);
    }

    private static String describe(List<RemoteRepository> repositories) {
        if (repositories.isEmpty()) return "no remote repository (offline?)";
        return repositories.stream().map(r -> r.getId() + " (" + r.getUrl() + ")").collect(Collectors.joining(", "));
    }

    /** Resolver exceptions nest the useful part ("Could not find artifact …") a few levels down. */
    private static String rootMessage(Throwable e) {
        Throwable deepest = e;
        while (deepest.getCause() != null && deepest.getCause() != deepest) deepest = deepest.getCause();
        String top = String.valueOf(e.getMessage());
        String root = String.valueOf(deepest.getMessage());
        return deepest == e || top.contains(root) ? top : top + ": " + root;
    }
}
