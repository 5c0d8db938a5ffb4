// The one JVM of the process, embedded through JNI: found at run time
// (never linked), created once with an explicit classpath and -Xrs, and
// reached from any host thread (attached as a daemon on first use and
// detached when the thread ends). Java exceptions become lp::sdk::Error.
#pragma once

#include <jni.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace lp::jmeter {

struct JvmOptions {
  std::string java_home;                         // config; empty: JAVA_HOME, then the system's
  std::vector<std::filesystem::path> classpath;  // every jar, listed (JNI does not expand *)
  std::vector<std::string> options;              // -D..., -Xmx...
};

// libjvm.so under `java_home`, $JAVA_HOME, /usr/lib/jvm/default-java, then
// the JDK of the `java` on PATH; throws Error naming every place tried.
std::filesystem::path find_libjvm(const std::string& java_home);

// Creates the JVM on the first call; later calls return it and throw if
// they ask for a different classpath (a JVM cannot change it). A JVM that
// could not start is reported again, with the same reason, on every call.
void ensure_jvm(const JvmOptions& options);

// The calling thread's JNIEnv, attaching the thread if needed. ensure_jvm first.
JNIEnv* env();

// Pending Java exception as text (Bridge.describe when the glue is loaded),
// cleared; nullopt when none is pending.
std::optional<std::string> take_exception(JNIEnv* e);

// Throws Error(what + ": " + the exception) if one is pending.
void check(JNIEnv* e, const std::string& what);

// Local references made inside are released at the end of the scope.
class LocalFrame {
 public:
  explicit LocalFrame(JNIEnv* e, jint capacity = 64);
  ~LocalFrame();
  LocalFrame(const LocalFrame&) = delete;
  LocalFrame& operator=(const LocalFrame&) = delete;

 private:
  JNIEnv* e_;
};

// A class by its binary name ("org/loadpilot/jmeter/Session") as a global ref.
jclass find_class(JNIEnv* e, const char* name);
jmethodID method(JNIEnv* e, jclass c, const char* name, const char* sig, bool is_static = false);

std::string to_string(JNIEnv* e, jstring s);
std::vector<std::string> to_strings(JNIEnv* e, jobjectArray a);
jobjectArray to_java(JNIEnv* e, const std::vector<std::string>& v);

}  // namespace lp::jmeter
