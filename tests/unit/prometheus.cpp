// lib/prometheus: a label value as the text exposition format quotes it.
#include <string>

#include "prometheus.h"
#include "unit.h"

using namespace prockit;

TEST("prometheus_label_value: \\ \" and newline escaped, nothing else") {
    CHECK_EQ(prometheus_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
    CHECK_EQ(prometheus_label_value("tab\there\r"), "tab\there\r");
    CHECK_EQ(prometheus_label_value(""), "");
}

TEST("prometheus_label_value: a byte that is not UTF-8 becomes U+FFFD") {
    CHECK_EQ(prometheus_label_value("a\xff" "b"), "a\xef\xbf\xbd" "b");
    CHECK_EQ(prometheus_label_value("\xe2\x82"), "\xef\xbf\xbd\xef\xbf\xbd");
    CHECK_EQ(prometheus_label_value("\xc3\xa9"), "\xc3\xa9");
}
