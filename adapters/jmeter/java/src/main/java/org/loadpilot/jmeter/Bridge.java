package org.loadpilot.jmeter;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;

import org.apache.jmeter.save.SaveService;
import org.apache.jmeter.util.JMeterUtils;

/**
 * What the C++ plugin calls once per JVM: set up JMeter's home and
 * properties the way JMeter's own launcher does, with every property that
 * lets JMeter call System.exit turned off (the JVM lives in the host's
 * process), and turn exceptions into text for the host's errors.
 */
public final class Bridge {
    private static String home;

    private Bridge() {
    }

    /**
     * @param jmeterHome a JMeter home (bin/jmeter.properties, saveservice.properties, ...)
     * @param props      further JMeter properties as key=value
     */
    public static synchronized void init(String jmeterHome, String[] props) throws IOException {
        if (home != null) {
            if (!home.equals(jmeterHome)) {
                throw new IllegalStateException("JMeter is already set up with home " + home
                        + " in this process; it cannot change to " + jmeterHome);
            }
            for (String kv : props) {
                setProperty(kv);
            }
            return;
        }
        File bin = new File(jmeterHome, "bin");
        File properties = new File(bin, "jmeter.properties");
        if (!properties.isFile()) {
            throw new IOException("no JMeter properties at " + properties + " (run scripts/setup and build)");
        }
        JMeterUtils.setJMeterHome(jmeterHome);
        JMeterUtils.loadJMeterProperties(properties.getPath());
        JMeterUtils.setLocale(java.util.Locale.ENGLISH);
        File user = new File(bin, "user.properties");
        if (user.isFile()) {
            JMeterUtils.loadProperties(user.getPath());
        }
        // JMeter must never end the host process.
        for (String p : new String[] {"jmeterengine.remote.system.exit", "jmeterengine.stopfail.system.exit",
                "jmeterengine.force.system.exit", "server.exitaftertest"}) {
            JMeterUtils.setProperty(p, "false");
        }
        JMeterUtils.setProperty("jmeter.exit.check.pause", "0");
        JMeterUtils.setProperty("server.rmi.ssl.disable", "true");
        JMeterUtils.setProperty("summariser.name", "");
        // Remote engines send each sample at once (JMeter's default,
        // StrippedBatch, holds up to 100); read here, where the listener
        // wrapper is made. A plan's properties may still set another mode.
        JMeterUtils.setProperty("mode", "Stripped");
        for (String kv : props) {
            setProperty(kv);
        }
        SaveService.loadProperties();
        home = jmeterHome;
    }

    private static void setProperty(String kv) {
        int eq = kv.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("JMeter property without '=': " + kv);
        }
        JMeterUtils.setProperty(kv.substring(0, eq), kv.substring(eq + 1));
    }

    /** JMeter's version, for the host's log. */
    public static String version() {
        return JMeterUtils.getJMeterVersion();
    }

    /**
     * An exception as the host reports it: its own message (JMeter's
     * "Problem loading XML ... Cause: ..." without the XStream debugging
     * detail), the root cause when it says more, and where it was thrown.
     */
    public static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder(headline(t));
        Throwable root = t;
        for (int depth = 0; root.getCause() != null && root.getCause() != root && depth < 16; depth++) {
            root = root.getCause();
        }
        String rootLine = headline(root);
        if (root != t && sb.indexOf(rootLine.substring(rootLine.indexOf(':') + 1).trim()) < 0) {
            sb.append("\ncaused by: ").append(rootLine);
        }
        StackTraceElement[] where = t.getStackTrace();
        for (int i = 0; i < Math.min(where.length, 3); i++) {
            sb.append("\n\tat ").append(where[i]);
        }
        return sb.toString();
    }

    private static String headline(Throwable t) {
        String m = t.getMessage() == null ? "" : t.getMessage();
        for (String cut : new String[] {"\n\n Detail:", "---- Debugging information ----"}) {
            int at = m.indexOf(cut);
            if (at >= 0) {
                m = m.substring(0, at);
            }
        }
        m = m.trim();
        return t.getClass().getName() + (m.isEmpty() ? "" : ": " + m);
    }
}
