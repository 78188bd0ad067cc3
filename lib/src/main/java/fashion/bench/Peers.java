package fashion.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import fashion.engine.Engine;

/**
 * The benchmark's two peers, each run as its own process in its fastest thread configuration on this machine, which
 * is printed with its figures:
 * <ul>
 * <li><b>pytorch</b>: {@code environment/peer/pytorch_seed_models.py} on Debian's PyTorch 1.13
 * ({@code /usr/bin/python3}), {@code torch.set_num_threads(T)}, {@code OMP_WAIT_POLICY=passive} (with OpenMP's
 * default spinning waits its OpenMP threads and OpenBLAS's threads fight for the cores: 2-3x slower dense epochs,
 * measured 2026-11-30). Its first output line names the BLAS library torch loaded; with the reference BLAS the
 * benchmark prints no ratio against it.</li>
 * <li><b>djl</b>: {@code environment/peer/djl} (Deep Java Library 0.36 on PyTorch 2.7.1, CPU), a stand-alone Maven
 * project built here on first use, run offline with {@code -Dai.djl.offline=true}, {@code PYTORCH_VERSION=2.7.1},
 * {@code PYTORCH_FLAVOR=cpu}, {@code DJL_CACHE_DIR=environment/peer/djl/target/djl-cache} (git-ignored; libtorch is
 * extracted there, about 430 MB), {@code -Dai.djl.pytorch.num_threads=T} and {@code OMP_WAIT_POLICY=passive}.</li>
 * </ul>
 * Each returns the peer's machine-readable last line ({@code model=... seconds_per_epoch=X test_accuracy=Y}), with
 * {@code blas=... blas_kind=optimized|reference} appended for the pytorch peer, or null when the peer failed.
 */
final class Peers {
    private Peers() {
    }

    private static Path root() {
        String root = System.getenv("FASHION_PROJECT_DIR");
        return root != null && !root.isBlank() ? Path.of(root) : Path.of("");
    }

    private static Path pytorchScript() {
        String env = System.getenv("FASHION_PEER_SCRIPT");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return root().resolve(Path.of("environment", "peer", "pytorch_seed_models.py"));
    }

    static boolean pytorchAvailable() {
        if (!Files.isRegularFile(pytorchScript()) || !Files.isExecutable(Path.of("/usr/bin/python3"))) {
            return false;
        }
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import torch").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Runs the PyTorch 1.13 peer; returns its last line with the BLAS it used appended, or null. */
    static String runPytorch(String model, int limit, int epochs, int batch, String init)
            throws IOException, InterruptedException {
        List<String> command = List.of("/usr/bin/python3", pytorchScript().toString(), "--model", model, "--epochs",
                String.valueOf(epochs), "--batch", String.valueOf(batch), "--limit", String.valueOf(limit), "--threads",
                String.valueOf(Engine.threads()), "--init", init);
        Map<String, String> env = Map.of("OMP_WAIT_POLICY", "passive");
        System.out.println("pytorch peer (PyTorch 1.13, Debian): OMP_WAIT_POLICY=passive " + String.join(" ", command));
        String[] blas = {"blas=unknown", "blas_kind=unknown"};
        String last = run("pytorch", command, env, line -> {
            if (line.startsWith("blas=")) {
                String[] f = line.trim().split("\\s+");
                blas[0] = f[0];
                blas[1] = f.length > 1 ? "blas_" + f[1] : "blas_kind=unknown";
            }
        });
        return last == null ? null : last + " " + blas[0] + " " + blas[1];
    }

    /** Builds (first use) and runs the DJL + PyTorch 2.7.1 peer; returns its last line, or null. */
    static String runDjl(String model, int limit, int epochs, int batch) throws IOException, InterruptedException {
        Path dir = root().resolve(Path.of("environment", "peer", "djl")).toAbsolutePath();
        Path jar = dir.resolve("target/djl-peer.jar");
        Path source = dir.resolve("src/main/java/peer/DjlSeedModels.java");
        if (!Files.isRegularFile(jar) || !Files.isDirectory(dir.resolve("target/dependency"))
                || Files.getLastModifiedTime(source).compareTo(Files.getLastModifiedTime(jar)) > 0
                || Files.getLastModifiedTime(dir.resolve("pom.xml")).compareTo(Files.getLastModifiedTime(jar)) > 0) {
            System.out.println("djl peer: building environment/peer/djl with Maven (first use)");
            Process build = new ProcessBuilder("mvn", "-q", "-B", "-f", dir.resolve("pom.xml").toString(), "package")
                    .inheritIO().start();
            if (build.waitFor() != 0 || !Files.isRegularFile(jar)) {
                System.out.println("djl peer: the Maven build failed (exit " + build.exitValue() + "): skipped");
                return null;
            }
        }
        String threads = String.valueOf(Engine.threads());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx1g", "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_threads=" + threads, "-cp", jar + ":" + dir.resolve("target/dependency") + "/*",
                "peer.DjlSeedModels", "--model", model, "--epochs", String.valueOf(epochs), "--batch",
                String.valueOf(batch), "--limit", String.valueOf(limit), "--threads", threads));
        Map<String, String> env = Map.of("PYTORCH_VERSION", "2.7.1", "PYTORCH_FLAVOR", "cpu", "DJL_CACHE_DIR",
                dir.resolve("target/djl-cache").toString(), "OMP_WAIT_POLICY", "passive");
        System.out.println("djl peer (DJL 0.36, PyTorch 2.7.1): PYTORCH_VERSION=2.7.1 PYTORCH_FLAVOR=cpu "
                + "OMP_WAIT_POLICY=passive DJL_CACHE_DIR=environment/peer/djl/target/djl-cache "
                + String.join(" ", command.subList(1, command.size())));
        return run("djl", command, env, line -> { });
    }

    private static String run(String name, List<String> command, Map<String, String> env,
            java.util.function.Consumer<String> onLine) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String last = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                onLine.accept(line);
                if (line.startsWith("model=")) {
                    last = line;
                } else {
                    System.out.println("  " + name + " " + line);
                }
            }
        }
        int code = p.waitFor();
        if (code != 0 || last == null) {
            System.out.println(name + " peer failed (exit " + code + ")");
            return null;
        }
        return last;
    }
}
