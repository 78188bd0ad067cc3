#!/usr/bin/python3
"""Protocol conformance of the "Java (Fashion-MNIST)" kernel (fashion-java), checked with Jupyter's own kernel test
suite (Debian package python3-jupyter-kernel-test, module jupyter_kernel_test).

    /usr/bin/python3 environment/test_kernel_protocol.py [-v]

Every reply and output message is validated against the messaging protocol's schemas (msgspec_v5), and:
kernel_info_reply (language, file extension, status "ok"); hello world on stdout, text on stderr; an exception is
one error message and an error reply; execute_result carries text/plain, also beside text/html for the helper
jar's types (a table, a confusion matrix); display(...) sends display_data; is_complete tells complete,
incomplete and invalid code apart; completion; inspection (Shift-Tab) of a JDK class (javadoc from the JDK's
src.zip, Debian openjdk-17-source) and of a class of the helper jar; history requests get a reply.
Exits 0 when every check passes. Takes about 30-60 s (one kernel).
"""
import os
import sys
import unittest

import jupyter_kernel_test
from jupyter_kernel_test.msgspec_v5 import validate_message

import kernel_startup

kernel_startup.use_this_checkouts_kernel()  # this checkout's kernelspec, whatever the user's points at

REPLY_SECONDS = 90  # the first cells compile the helper jar's classes: generous on a loaded 2-core machine
IOPUB_SECONDS = 10  # between one output message of a request and the next
jupyter_kernel_test.TIMEOUT = REPLY_SECONDS


CONFUSION = 'fashion.evaluation.ConfusionMatrix.of("m", new int[] {0, 1, 1}, new int[] {0, 1, 0}, java.util.List.of("a", "b"))'


class FashionJavaKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = os.environ.get("FASHION_KERNEL_NAME", "fashion-java")
    language_name = "java"
    file_extension = ".jshell"

    code_hello_world = 'System.out.println("hello, world");'
    code_stderr = 'System.err.println("something went wrong");'
    code_generate_error = 'throw new IllegalStateException("a deliberate error");'

    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"fashion".toUpperCase()', "result": "FASHION"},
        # the helper jar's types: rich HTML, with text/plain beside it
        {"code": 'tech.tablesaw.api.Table.create("t", tech.tablesaw.api.IntColumn.create("n", 1, 2))',
         "mime": "text/plain"},
        {"code": 'tech.tablesaw.api.Table.create("t", tech.tablesaw.api.IntColumn.create("n", 1, 2))',
         "mime": "text/html"},
        {"code": CONFUSION,
         "mime": "text/plain"},
        {"code": CONFUSION,
         "mime": "text/html"},
    ]
    code_display_data = [
        {"code": 'display("text/html", "<b>bold</b>");', "mime": "text/html"},
        {"code": 'display("text/plain", "plain words");', "mime": "text/plain"},
    ]

    complete_code_samples = ["1 + 1;", "int x = 1;", "System.out.println(2);"]
    incomplete_code_samples = ["for (int i = 0; i < 3; i++) {", "int y = (1 +"]
    invalid_code_samples = []

    completion_samples = [{"text": "Math.ab"}, {"text": "\"abc\".toUpperC"}]

    code_inspect_sample = "String"

    supported_history_operations = ()

    def execute_helper(self, code, timeout=REPLY_SECONDS, silent=False, store_history=True, stop_on_error=True):
        """The suite's execute_helper, with time for each iopub message on a loaded machine: the suite allows
        0.1 s between the outputs and the final idle status, which a busy 2-core machine exceeded once (test_error,
        load 30). Same checks: the reply, then busy, the outputs and idle on iopub, all validated."""
        msg_id = self.kc.execute(code=code, silent=silent, store_history=store_history, stop_on_error=stop_on_error)
        reply = self.get_non_kernel_info_reply(timeout=timeout)
        validate_message(reply, "execute_reply", msg_id)
        busy = self.kc.get_iopub_msg(timeout=IOPUB_SECONDS)
        validate_message(busy, "status", msg_id)
        self.assertEqual(busy["content"]["execution_state"], "busy")
        outputs = []
        while True:
            msg = self.kc.get_iopub_msg(timeout=IOPUB_SECONDS)
            validate_message(msg, msg["msg_type"], msg_id)
            if msg["msg_type"] == "status":
                self.assertEqual(msg["content"]["execution_state"], "idle")
                return reply, outputs
            if msg["msg_type"] == "execute_input":
                self.assertEqual(msg["content"]["code"], code)
                continue
            outputs.append(msg)

    def get_non_kernel_info_reply(self, timeout=REPLY_SECONDS):
        # the suite waits without limit by default: a request the kernel never answers must fail, not hang
        return super().get_non_kernel_info_reply(timeout=timeout or REPLY_SECONDS)

    # --- checks beyond the suite's samples -----------------------------------------------------------------------

    def test_kernel_info_status(self):
        self.flush_channels()
        msg_id = self.kc.kernel_info()
        reply = self.kc.get_shell_msg(timeout=REPLY_SECONDS)
        validate_message(reply, "kernel_info_reply", msg_id)
        content = reply["content"]
        self.assertEqual(content.get("status"), "ok", "kernel_info_reply has status 'ok'")
        for key in ("protocol_version", "implementation", "implementation_version", "language_info", "banner"):
            self.assertIn(key, content)
        for key in ("name", "version", "mimetype", "file_extension"):
            self.assertIn(key, content["language_info"])

    def inspect(self, code):
        self.flush_channels()
        msg_id = self.kc.inspect(code)
        reply = self.get_non_kernel_info_reply(timeout=REPLY_SECONDS)
        validate_message(reply, "inspect_reply", msg_id)
        return reply["content"]

    def test_inspect_jdk_class_has_javadoc(self):
        content = self.inspect("String")
        self.assertTrue(content["found"], "inspection of String is found")
        text = " ".join(str(v) for v in content["data"].values())
        self.assertIn("character strings", text, "String's javadoc (from the JDK's src.zip) is shown: %r" % text[:300])

    def test_inspect_helper_jar_class(self):
        self.execute_helper("import fashion.evaluation.ConfusionMatrix;")
        content = self.inspect("ConfusionMatrix")
        self.assertTrue(content["found"], "inspection of the helper jar's ConfusionMatrix is found")
        self.assertIn("text/plain", content["data"])
        self.assertIn("ConfusionMatrix", content["data"]["text/plain"])

    def test_history_replies(self):
        self.flush_channels()
        msg_id = self.kc.history(hist_access_type="tail", n=3)
        reply = self.get_non_kernel_info_reply(timeout=REPLY_SECONDS)
        validate_message(reply, "history_reply", msg_id)
        self.assertEqual(reply["content"]["status"], "ok")


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2 if "-v" in sys.argv else 1).result
    sys.exit(0 if result.wasSuccessful() else 1)
