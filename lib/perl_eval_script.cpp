#include "perl_eval.h"

namespace prockit {

// The helper (lib/perl_eval.h). Each message is a count, then that many
// strings, each as its length, a newline and its bytes. The requests:
//
//   C CODE                       compile: ok NUMBER | err REASON
//   E SEQ SLOT TOTAL N ARG*N (SUB INDEX)*
//                                evaluate: ok SKIP (VALUE UNQUOTED)* | err REASON SUB
//   F SEQ SLOT TOTAL N ARG*N CODE
//                                filter: ok 1|0
//
// The helpers user code may call are GNU parallel's (its package Arg): the
// subs are compiled in package Arg, so that $global is $Arg::global in
// every expression and keeps its value from one job to the next.
const char* const kPerlHelperScript = R"PERL(
use strict; no warnings;
# GNU parallel's package main has File::Basename's subs: {= ::dirname($_) =}.
use File::Basename;
open(my $in, "<&", \*STDIN) or exit 70;
open(my $out, ">&", \*STDOUT) or exit 70;
open(STDIN, "<", "/dev/null");
open(STDOUT, ">&", \*STDERR);
binmode $in; binmode $out; binmode STDOUT;
{ my $old = select($out); $| = 1; select($old); }

# The protocol's own reading and writing keep Perl's defaults whatever
# user code did to $/, $\ or $, (parallel's reading does not depend on them).
sub read_string {
    local $/ = "\n";
    my $len = readline($in);
    defined $len or exit 0;
    chomp $len;
    my $buf = "";
    while (length($buf) < $len) {
        my $n = read($in, $buf, $len - length($buf), length($buf));
        $n or exit 0;
    }
    return $buf;
}
sub read_message { my $n = read_string(); return map { read_string() } 1..$n; }
sub write_message {
    local $\ = undef; local $, = undef;
    my @s = map { my $v = defined $_ ? "$_" : ""; utf8::encode($v) if utf8::is_utf8($v); $v } @_;
    print $out join("", length(scalar @s), "\n", scalar(@s), map { length($_) . "\n" . $_ } @s);
}
sub one_line { my $e = shift; $e =~ s/ at \(eval \d+\) line \d+.*//s; $e =~ s/\s+/ /g; $e =~ s/ $//; return $e; }

sub Q {
    local $_ = $_[0];
    if (/[^-_.+a-z0-9\/]/i) { s/'/'"'"'/g; $_ = "'$_'"; s/^''//; s/''$//; return $_; }
    return $_ eq "" ? "''" : $_;
}
sub pQ { my $a = $_[0]; $a =~ s/[\\\"\$\@]/\\$&/g if defined $a; return $a; }
sub uniq { return keys %{{ map { $_ => 1 } @_ }}; }
sub make_regexp_ungreedy {
    my ($regexp, $class, $escape, $found, $ungreedy) = (shift, 0, 0, 0, "");
    for my $c (split //, $regexp) {
        if ($found) { $ungreedy .= "?" if $c ne "?"; $found = 0; }
        $ungreedy .= $c;
        if ($escape) { $escape = 0; next; }
        if ($c eq "\\") { $escape = 1; next; }
        if ($c eq "[") { $class = 1; next; }
        if ($class) { $class = 0 if $c eq "]"; next; }
        $found = 1 if $c =~ /[*}+]/;
    }
    $ungreedy .= "?" if $found;
    return $ungreedy;
}

package Job;
sub seq { $_[0]{seq} }
sub slot { $_[0]{slot} }
sub skip { $_[0]{skip} = 1 }
sub total_jobs { $_[0]{total} }

package Arg;
our ($job, $unquote);
sub skip() { $job->skip() }
sub slot() { $job->slot() }
sub seq() { $job->seq() }
sub uq() { $unquote = 1 }
sub total_jobs() { $job->total_jobs() }
sub Q($) { ::Q($_[0]) }
sub pQ($) { ::pQ($_[0]) }
sub hash($) { require B; B::hash(@_) }
sub now_as { require POSIX; POSIX::strftime($_[0], localtime(time())) }
sub yyyy_mm_dd_hh_mm_ss() { now_as("%Y-%m-%dT%H:%M:%S") }
sub yyyy_mm_dd_hh_mm() { now_as("%Y-%m-%dT%H:%M") }
sub yyyy_mm_dd() { now_as("%Y-%m-%d") }
sub hh_mm_ss() { now_as("%H:%M:%S") }
sub hh_mm() { now_as("%H:%M") }
sub yyyymmddhhmmss() { now_as("%Y%m%d%H%M%S") }
sub yyyymmddhhmm() { now_as("%Y%m%d%H%M") }
sub yyyymmdd() { now_as("%Y%m%d") }
sub hhmmss() { now_as("%H%M%S") }
sub hhmm() { now_as("%H%M") }
sub compile_code { return eval('sub { no strict; no warnings; my $job = shift; ' . $_[0] . "\n}"); }
sub filter_code { no strict; no warnings; return eval($_[0]); }
sub start_job {
    my $m = shift;
    my ($seq, $slot, $total, $n) = splice(@$m, 0, 4);
    my @args = splice(@$m, 0, $n);
    $job = bless { seq => $seq, slot => $slot, total => $total }, "Job";
    *Arg::arg = [undef, @args];
    return @args;
}

package main;
my @subs;
while (1) {
    my @m = read_message();
    my $kind = shift @m;
    if ($kind eq "C") {
        my $sub = Arg::compile_code($m[0]);
        if ($sub) { push @subs, $sub; write_message("ok", $#subs); }
        else { write_message("err", one_line($@)); }
    } elsif ($kind eq "E") {
        my @args = Arg::start_job(\@m);
        my @values;
        my ($died, $which);
        while (@m) {
            my ($sub, $i) = splice(@m, 0, 2);
            local $_ = $args[$i];
            $Arg::unquote = 0;
            if (not eval { $subs[$sub]->($Arg::job); 1 }) { ($died, $which) = (one_line($@), $sub); last; }
            push @values, $_, ($Arg::unquote ? 1 : 0);
        }
        if (defined $died) { write_message("err", $died, $which); }
        else { write_message("ok", ($Arg::job->{skip} ? 1 : 0), @values); }
    } elsif ($kind eq "F") {
        Arg::start_job(\@m);
        write_message("ok", (Arg::filter_code($m[0]) ? 1 : 0));
    } else {
        exit 70;
    }
}
)PERL";

}  // namespace prockit
