#!/usr/bin/env bats
# pool-run's inputs as GNU parallel takes them: linked sources (:::+,
# ::::+, --link), several records a job (-n, -N, -m, -X, --xargs, -s),
# columns (--colsep, --csv, --trim, --header), -d, -E, -r, --shuf. Each
# expected output below is what GNU parallel 20221122 prints for the same
# command (--csv's with Text::CSV 2.06); `like_parallel` runs parallel too
# when it is installed, and compares.

load helper

setup() { D=$BATS_TEST_TMPDIR; }
teardown() { remove_test_queues; }

# Runs pool-run -k ARGS (stdin: $IN if set), expects $1 as its output and
# status 0; then, when GNU parallel is installed, the same of it.
like_parallel() {
    local want=$1
    shift
    run pool-run -k "$@" < "${IN:-/dev/null}"
    assert_success
    assert_output "$want"
    # parallel's --csv needs Perl's Text::CSV, which Debian's parallel does not pull in.
    if command -v parallel >/dev/null && { [[ " $* " != *" --csv "* ]] || perl -MText::CSV -e 1 2>/dev/null; }; then
        run parallel --will-cite -k "$@" < "${IN:-/dev/null}"
        assert_output "$want"
    fi
}

@test ":::+ links a source to the one before it, as far as the shorter goes; the others cross" {
    like_parallel "a 1
b 2" echo ::: a b c :::+ 1 2
    like_parallel "a 1 x
a 1 y
b 2 x
b 2 y
c 3 x
c 3 y" echo ::: a b c :::+ 1 2 3 ::: x y
    like_parallel "a x 1
a y 2
b x 1
b y 2" echo ::: a b ::: x y :::+ 1 2 3
    # A first source has none before it to link to.
    like_parallel "a 1
a 2
b 1
b 2" echo :::+ a b ::: 1 2
}

@test "--link and --xapply: every source side by side, the shorter ones starting over" {
    like_parallel "a 1
b 2
c 1" --link echo ::: a b c ::: 1 2
    like_parallel "1 I a
2 II b
1 III c
2 I d
1 II e
2 III f
1 I g" --xapply echo {1} {2} {3} ::: 1 2 ::: I II III ::: a b c d e f g
}

@test ":::: FILE... is one source per file, ::::+ links each; -a files come before the ::: groups" {
    printf 'f1\nf2\n' > "$D/f"
    printf 'g1\ng2\ng3\n' > "$D/g"
    like_parallel "f1 g1
f1 g2
f1 g3
f2 g1
f2 g2
f2 g3" echo :::: "$D/f" "$D/g"
    like_parallel "f1 f1
f2 f2" echo :::: "$D/f" ::::+ "$D/f"
    like_parallel "f1 x
f1 y
f2 x
f2 y" -a "$D/f" echo ::: x y
    # GNU parallel links -a f's source to x here (its link flags skip the
    # -a files): pool-run links the source that :::+ follows, as :::: does.
    run pool-run -k -a "$D/f" echo ::: x y :::+ 1 2
    assert_output "f1 x 1
f1 y 2
f2 x 1
f2 y 2"
}

@test "--arg-sep and --arg-file-sep replace ::: and :::: (and their + forms)" {
    printf 'f1\nf2\n' > "$D/f"
    like_parallel "a
b" --arg-sep ,, echo ,, a b
    like_parallel "a 1
b 2" --arg-sep ,, echo ,, a b ,,+ 1 2
    like_parallel ":::: f1
:::: f2" --arg-file-sep // echo :::: // "$D/f"
    # A separator that is both reads files, as parallel's group test does.
    like_parallel "f1
f2" --arg-sep :::: echo :::: "$D/f"
    like_parallel "f1
f2" --arg-file-sep ::: echo ::: "$D/f"
    # ::: is then a plain word: with --arg-sep it reads standard input.
    IN=$D/f like_parallel "::: f1
::: f2" --arg-sep ,, echo :::
}

@test "-n N: up to N records a job, appended; with several sources a record is one of each" {
    like_parallel "1 2
3 4
5" -n2 echo ::: 1 2 3 4 5
    like_parallel "a1 2b
a3 4b" -n2 echo a{}b ::: 1 2 3 4
    like_parallel "1 a 1 b
2 a 2 b
3 a 3 b" -n2 echo ::: 1 2 3 ::: a b
    like_parallel "1 2 3
4 5" --max-args 3 echo ::: 1 2 3 4 5
    # -N wins over -n, whichever comes first.
    like_parallel "a b
c" -N2 -n1 echo ::: a b c
    like_parallel "a b
c" -n1 -N2 echo ::: a b c
}

@test "-N N: {1}..{N} are the job's records, too few leave them empty; {} repeats the word per record" {
    like_parallel "1-2
3-4
5-" -N2 echo {1}-{2} ::: 1 2 3 4 5
    like_parallel "a1b a2b
a3b a4b" -N2 echo a{}b ::: 1 2 3 4
    like_parallel "1/a/1/b
2/a/2/b
3/a/3/b" -N2 echo {1}/{2}/{3}/{4} ::: 1 2 3 ::: a b
    IN=/dev/null
    printf 'root:x:0:0:root:/root:/bin/bash\n' | tr ':' '\n' > "$D/passwd"
    IN=$D/passwd like_parallel "root /root" -N7 echo {1} {6}
}

@test "-N 0 and -n 0: one job per input read, none of it given (parallel's 'read one, insert none')" {
    like_parallel "foo
foo
foo" -N0 echo foo ::: 1 2 3
    like_parallel "foo
foo" -n0 echo foo {} ::: 1 2
    # {} is nothing there, not a quoted empty argument; {#} is still the job's number.
    like_parallel "1-
2-" -N0 echo {#}-{} ::: a b
    # With -m the line's length bounds the job, and the spread cuts it.
    like_parallel "x
x" -j2 -m -N0 echo x ::: 1 2 3
}

@test "-m and -X spread the last records over the job slots; --xargs does not" {
    like_parallel "1 2 3
4 5" -j2 -m echo ::: 1 2 3 4 5
    like_parallel "1 2 3
4 5 6
7" -j3 -m echo ::: 1 2 3 4 5 6 7
    like_parallel "1 2 3 4 5" -j2 --xargs echo ::: 1 2 3 4 5
    like_parallel "1 2
3 4
5" -j2 --xargs -n2 echo ::: 1 2 3 4 5
    # Counted once, when the records run out: here after the third job.
    like_parallel "1 2 3
4
5" -j2 -m -s 12 echo ::: 1 2 3 4 5
    # -n N reached as the records end: the spread still cuts it.
    like_parallel "1 2
3" -j2 -m -n3 echo ::: 1 2 3
    like_parallel "1 2 3
4 5 6
7
8" -j2 -N3 -m echo ::: 1 2 3 4 5 6 7 8
}

@test "-X repeats the word around a replacement string per record; -m gives the records once" {
    like_parallel "a1b a2b a3b" -j1 -X echo a{}b ::: 1 2 3
    like_parallel "a1 2 3b" -j1 -m echo a{}b ::: 1 2 3
}

@test "-s N: a job's composed line stays shorter than N characters" {
    like_parallel "1 2
3 4
5" -s 10 --xargs echo ::: 1 2 3 4 5
    like_parallel "1 2 3
4 5" -s 11 --xargs echo ::: 1 2 3 4 5
    like_parallel "a1b
a2b
a3b" -s 9 -X echo a{}b ::: 1 2 3
    like_parallel "a1 2b
a3 4b
a5 6b" -j1 -s 12 -m echo a{}b ::: 1 2 3 4 5 6
    # The length is the quoted line's, as the shell gets it.
    like_parallel "a b
c" -s 12 --xargs echo ::: "a b" c
    like_parallel "a b c" -s 13 --xargs echo ::: "a b" c
}

@test "-X without -s fills each line up to GNU parallel's default of 63664 characters" {
    seq 20000 > "$D/in"
    run pool-run -j1 -X echo < "$D/in"
    assert_success
    # 12460 numbers make a line of 63653 characters; one more would reach 63664.
    assert_equal "$(awk '{print NF, length($0)}' <<<"$output")" "12460 63653
7540 45239"
}

@test "-s: one record too long alone ends the run with one line and 255, as parallel" {
    run --separate-stderr pool-run -k -s 9 --xargs echo ::: 1 2 3333333 4
    assert_failure 255
    assert_output "1 2"
    assert_equal "$stderr" "pool-run: command line too long (12 >= 9) at input 3: 3333333"
    run --separate-stderr pool-run -s 5 echo ::: 1
    assert_failure 255
    assert_output ""
    assert_equal "$stderr" "pool-run: command line too long (6 >= 5) at input 1: 1"
    run --separate-stderr pool-run -s x echo ::: 1
    assert_failure 255
    assert_equal "$stderr" "pool-run: invalid max-chars 'x': expected a whole number from 0 to 18446744073709551615"
}

@test "-n takes parallel's unit prefixes: k is 1000, K and ki 1024" {
    seq 2100 > "$D/in"
    run pool-run -j1 -n 1k echo < "$D/in"
    assert_equal "$(awk '{print NF}' <<<"$output")" "1000
1000
100"
    run pool-run -j1 -n 1K echo < "$D/in"
    assert_equal "$(awk '{print NF}' <<<"$output")" "1024
1024
52"
}

@test "--colsep REGEX splits each source's record into {1}..{n}, trimmed of white space" {
    like_parallel "f e B A
h g B A
f e D C
h g D C" --colsep '-' echo {4} {3} {2} {1} ::: A-B C-D ::: e-f g-h
    like_parallel "[a][b]" --colsep , echo '[{1}][{2}]' ::: " a , b "
    like_parallel "[ a ][ b ]" --colsep , --trim n echo '[{1}][{2}]' ::: " a , b "
    like_parallel "[a ][b ]" --colsep , --trim l echo '[{1}][{2}]' ::: " a , b "
    like_parallel "[a b]" --colsep , echo '[{}]' ::: " a , b "
    printf 'x\ty z\n1\t2 3\n' > "$D/t"
    IN=$D/t like_parallel "y z-x
2 3-1" --colsep '\t' echo {2}-{1}
}

@test "--colsep splits as Perl's split: empty fields kept, captures are fields, no empty match where one ended" {
    like_parallel "[] [a] [] [b]" --colsep ' ' --trim n echo '[{1}] [{2}] [{3}] [{4}]' ::: ' a  b'
    like_parallel "[] [a] [] [b] [] []" --colsep , echo '[{1}] [{2}] [{3}] [{4}] [{5}] [{6}]' ::: ',a,,b,,'
    like_parallel "[a] [,] [b]" --colsep '(,)' echo '[{1}] [{2}] [{3}]' ::: a,b
    like_parallel "[a] [b] [c] []" --colsep 'x*' echo '[{1}] [{2}] [{3}] [{4}]' ::: axxbc
    like_parallel "[a] [c] []" --colsep 'b?' echo '[{1}] [{2}] [{3}]' ::: abc
    like_parallel "[] [a] [b] []" --colsep '\s+' --trim n echo '[{1}] [{2}] [{3}] [{4}]' ::: ' a b '
}

@test "--colsep: a regex that backtracking takes exponential time over splits in linear time" {
    # (a*)*b over 40 a's: 2^40 paths for a backtracking matcher, and a split
    # runs with stop signals blocked. The bound only stops a hang.
    run timeout -k 1 60 pool-run --colsep '(a*)*b' echo {1} ::: "$(printf 'a%.0s' $(seq 40))"
    assert_success
    assert_output "$(printf 'a%.0s' $(seq 40))"
}

@test "--colsep with an invalid regex: one line, 255, no job started" {
    run --separate-stderr pool-run --colsep '[' touch "$D/ran" ::: a
    assert_failure 255
    assert_equal "${#stderr_lines[@]}" 1
    assert_equal "${stderr_lines[0]%%:*}" "pool-run"
    [[ "$stderr" == "pool-run: invalid --colsep '[': "* ]]
    assert_file_not_exists "$D/ran"
    run --separate-stderr pool-run --csv --colsep ab echo ::: a
    assert_failure 255
    assert_equal "$stderr" "pool-run: invalid --colsep 'ab' with --csv: expected one character other than '\"', CR and LF"
}

@test "--csv: quoted fields, doubled quotes, quoted newlines, --colsep's one character" {
    echo '"1 big, 2 small","2""x4"" plank",12.34' > "$D/c"
    IN=$D/c like_parallel '1 big, 2 small of 2"x4" plank at 12.34' --csv echo {1} of {2} at {3}
    (echo '"Start of field 1 with newline'; echo 'Line 2 in field 1";value 2') > "$D/c2"
    IN=$D/c2 like_parallel "Field 1: Start of field 1 with newline
Line 2 in field 1 Field 2: value 2" --csv --colsep ';' echo Field 1: {1} Field 2: {2}
    printf 'a,,\n\nb,"",c\n' > "$D/c3"
    IN=$D/c3 like_parallel "[a][][]
[][][]
[b][][c]" --csv echo '[{1}][{2}][{3}]'
    # The same records from a file read whole (with ::: beside it).
    # An empty line is one empty field: x is then {2}.
    like_parallel "[a][][] x
[][x][]
[b][][c] x" --csv echo '[{1}][{2}][{3}]' {4} :::: "$D/c3" ::: x
}

@test "--csv: a record ending in CR (a CRLF file) is read as RFC 4180 says, where Text::CSV refuses it" {
    printf 'a,"b"\r\nc,d\r\n' > "$D/crlf"
    run pool-run -k --csv echo '[{1}][{2}]' :::: "$D/crlf"
    assert_success
    assert_output "[a][b]
[c][d]"
}

@test "--csv: malformed CSV is one line naming the problem and 255; no job starts if the source is read whole" {
    printf 'ok\n"a"b,c\n' > "$D/bad"
    run --separate-stderr pool-run --csv touch "$D/ran" :::: "$D/bad"
    assert_failure 255
    assert_equal "$stderr" "pool-run: $D/bad: record 2: malformed CSV: text after a closing quote: \"a\"b,c"
    assert_file_not_exists "$D/ran"
    run --separate-stderr pool-run --csv touch "$D/ran" ::: 'a,b"c'
    assert_failure 255
    assert_equal "$stderr" "pool-run: input source 1: record 1: malformed CSV: quote in an unquoted field: a,b\"c"
    run --separate-stderr pool-run --csv touch "$D/ran" ::: '"open'
    assert_failure 255
    assert_equal "$stderr" "pool-run: input source 1: record 1: malformed CSV: quoted field not terminated: \"open"
    assert_file_not_exists "$D/ran"
    # From a stream, the records before it have run (as in parallel).
    run --separate-stderr pool-run -j1 --csv echo < "$D/bad"
    assert_failure 255
    assert_output "ok"
    assert_equal "$stderr" "pool-run: input 2: malformed CSV: text after a closing quote: \"a\"b,c"
}

@test "--trim: n l r lr rl, without --colsep too; anything else is refused" {
    like_parallel "[a]" --trim lr echo '[{}]' ::: "  a  "
    like_parallel "[  a]" --trim r echo '[{}]' ::: "  a  "
    like_parallel "[  a  ]" echo '[{}]' ::: "  a  "
    run --separate-stderr pool-run --trim x echo ::: a
    assert_failure 255
    assert_equal "$stderr" "pool-run: invalid --trim 'x': expected n, l, r, lr or rl"
}

@test "--header : names the columns of each source's first line: {name}, {name.}, {name/}" {
    printf 'n1\tn2\na\tb\nc\td\n' > "$D/h.tsv"
    like_parallel "b a
d c" --header : echo {n2} {n1} :::: "$D/h.tsv"
    like_parallel "A C
A D
B C
B D" --header : echo {f1} {f2} ::: f1 A B ::: f2 C D
    like_parallel "z/w.q z/w x.y" --header : --colsep , echo '{b}' '{b.}' '{a/}' ::: a,b x.y,z/w.q
    like_parallel "1 3
2 4
1 5" --header : --link echo {a} {b} ::: a 1 2 ::: b 3 4 5
}

@test "--header : a column named \"\" makes {} that column (and {.}, {/}, every {= =}), as parallel" {
    printf 'a,,b\n1,2.x,3\n' > "$D/h.csv"
    like_parallel "2.x 2 2.xy 1" --header : --colsep , echo {} {.} '{= $_ .= "y" =}' {a} :::: "$D/h.csv"
    # Trailing empty names are no columns (Perl's split drops them).
    like_parallel "a b b" --header : --colsep , echo {} {2} {x} ::: ,x,, a,b,c
}

@test "--header : on standard input: the first line is read before the first job" {
    printf 'a,b,\n1,2,3\n' > "$D/in"
    IN=$D/in like_parallel "1 2 3" --header : --colsep , echo {a} {b} {3}
    printf 'n1\tn2\na\tb\n' > "$D/in"
    IN=$D/in like_parallel "b-a" --header : echo {n2}-{n1}
    # A header and no records: no job.
    printf 'x\n' > "$D/in"
    IN=$D/in like_parallel "" --header : echo {x}
}

@test "-d DELIM: a string, with parallel's escapes (\\n \\t \\r \\0 \\NNN); -d wins over -0" {
    printf 'a,b,c' > "$D/in"
    IN=$D/in like_parallel "a
b
c" -d , echo
    printf 'a\r\nb\r\n' > "$D/in"
    IN=$D/in like_parallel "a
b" -d '\r\n' echo
    printf 'a\0b\0' > "$D/in"
    IN=$D/in like_parallel "a
b" -d '\0' echo
    printf 'aXbXc' > "$D/in"
    IN=$D/in like_parallel "a
b
c" -d '\130' echo
    printf 'a:b\n:c' > "$D/in"
    IN=$D/in like_parallel "a
b

c" -0 -d : echo
    # An argument cannot hold a NUL: written \0, with a warning, as parallel does.
    run --separate-stderr pool-run -k echo < <(printf 'a\0b\nc\n')
    assert_success
    assert_output 'a\0b
c'
    assert_equal "$stderr" 'pool-run: a NUL in the input was written as backslash-zero: an argument cannot hold one (did you mean -0?)'
    run --separate-stderr pool-run -d '' echo ::: a
    assert_failure 255
    assert_equal "$stderr" "pool-run: invalid -d '': the delimiter is empty"
}

@test "-d splits ::: arguments too, as parallel reads them back from a file: a_b_c_ is a, b, c and an empty one" {
    like_parallel "xay
xby
xcy
xy" -d _ echo x{}y ::: a_b_c_
    like_parallel "a 1
a 2
b 1
b 2" -d _ echo ::: a_b ::: 1_2
    like_parallel "x
y

z" -d ab echo ::: xabyab z
    # By default a newline in an argument splits it; with -0 it does not.
    like_parallel "a
b
c" echo ::: "$(printf 'a\nb')" c
    like_parallel "1_2" -0 echo ::: 1_2
    # The split comes before --header takes the first record.
    like_parallel "1
2" -d _ --header : echo {x} ::: x_1_2
}

@test "{##}, {0#} and total_jobs() of standard input: the input is read to its end before the first job, as parallel" {
    IN=/dev/null
    seq 3 > "$D/in"
    IN=$D/in like_parallel "1/3
2/3
3/3" --plus echo {#}/{##}
    seq 10 > "$D/in"
    IN=$D/in like_parallel "$(printf '%02d\n' $(seq 10))" --plus echo {0#}
    IN=$D/in like_parallel "$(for i in $(seq 10); do printf '10\t%s\n' "$i"; done)" --tagstring '{= $_=total_jobs() =}' echo
    printf 'a\nb\nc\n' > "$D/in"
    IN=$D/in like_parallel "a 2 2
c 2" -N2 echo {1} '{= $_=total_jobs() =}'
}

@test "without {##}, a job starts while standard input is still open (no read-ahead)" {
    mkfifo "$D/fifo"
    pool-run -j2 touch "$D/{}" < "$D/fifo" 3>&- &
    local pid=$! w
    exec {w}> "$D/fifo"
    echo first >&"$w"
    wait_until test -e "$D/first"
    exec {w}>&-
    wait "$pid"
}

@test "-E EOF-STRING: each source ends at the line equal to it" {
    like_parallel "a x" -E b echo ::: a b c ::: x
    printf 'a\nSTOP\nb\n' > "$D/in"
    IN=$D/in like_parallel "a" -E STOP echo
    IN=$D/in like_parallel "a" --eof=STOP echo
    # Getopt's optional value: the next word when it is not an option.
    IN=$D/in like_parallel "a" --eof STOP echo
    like_parallel "a
b" --eof -k echo ::: a b
    IN=$D/in like_parallel "a
STOP
b" -E '' echo
}

@test "-r: no job for a record of white space only, from any source" {
    printf 'a\n\n \t\nb\n' > "$D/in"
    IN=$D/in like_parallel "a
b" -r echo
    IN=$D/in like_parallel "[a]
[]
[ 	]
[b]" echo '[{}]'
    like_parallel "a
b" --no-run-if-empty echo ::: a "" " " b
}

@test "--shuf: every input once, in an order of its own; --shuf excludes --from" {
    run pool-run -j1 --shuf echo ::: $(seq 200)
    assert_success
    assert_equal "$(sort -n <<<"$output")" "$(seq 200)"
    # 200! orders: the one given is not what a shuffle leaves.
    [ "$output" != "$(seq 200)" ]
    run --separate-stderr pool-run --shuf --from q echo
    assert_failure 255
    assert_equal "${stderr_lines[0]}" "pool-run: --shuf reads every input first: it excludes --from"
}

@test "--from with -n 2: jobs of two messages, each marked done once its job has finished" {
    q=$(qname jobs)
    shq create "$q"
    printf '1\n2\n3\n' | pipe-cat -E - "mq:/$q"
    run pool-run -k -n 2 --from "$q" echo
    assert_success
    assert_output "1 2
3"
    assert_equal "$(shq stat --json "$q" | jq -r '[.put, .done, .unfinished] | @tsv')" "$(printf '3\t3\t0')"
}

@test "--from with --colsep: the columns make the job; the message is what is marked done" {
    q=$(qname jobs)
    shq create "$q"
    printf 'a b\nc d\n' | pipe-cat -E - "mq:/$q"
    run pool-run -k --colsep ' ' --from "$q" echo {2}-{1}
    assert_success
    assert_output "b-a
d-c"
    assert_equal "$(shq stat --json "$q" | jq -r '[.put, .done, .unfinished] | @tsv')" "$(printf '2\t2\t0')"
}

@test "-L N: N records a job, a record ending in a space or tab going on into the next (as GNU parallel)" {
    printf 'a b\nc \nd\ne\nf\tx\t\ng\n' > "$D/in"
    run pool-run -k -L 2 echo < "$D/in"
    assert_success
    assert_output "$(printf 'a b c d\ne f\tx\tg')"
    # -L is a context replace, as -X: the word around {} once per record.
    run pool-run -k -L 2 echo '[{}]' < "$D/in"
    assert_success
    assert_output "$(printf '[a b] [c d]\n[e] [f\tx\tg]')"
    # -l alone is -l 1; its value is the next word only when it is a number.
    run pool-run -k -l echo < "$D/in"
    assert_success
    assert_output "$(printf 'a b\nc d\ne\nf\tx\tg')"
    for opts in '-l2' '-l 2' '--max-lines=2' '--max-lines 2' '--maxlines 2'; do
        run pool-run -k $opts echo '[{}]' < "$D/in"
        assert_success
        assert_output "$(printf '[a b c d]\n[e f\tx\tg]')"
    done
    # -n and -N win over it; -E and -r read the joined record.
    run pool-run -k -L 1 -n 3 echo < "$D/in"
    assert_output "$(printf 'a b c d e\nf\tx\tg')"
    run pool-run -k -L 1 -E e echo < "$D/in"
    assert_output "$(printf 'a b\nc d')"
    run pool-run -k -L 1 echo ::: 'x ' y z
    assert_output "$(printf 'x y\nz')"
}

@test "-L 0 is -n 0, -l 0 is -l 1; a bad count is refused, 255, no job run" {
    run pool-run -k -L 0 echo x ::: a 'b ' c
    assert_success
    assert_output "x
x
x"
    run pool-run -k -l 0 echo ::: 'a ' b
    assert_success
    assert_output "a b"
    assert_fails_with 255 "pool-run: invalid -L 'x': expected a whole number from 0 to 18446744073709551615" \
        pool-run -L x touch "$D/ran" ::: 1
    assert_fails_with 255 "pool-run: invalid --max-lines '2.5': expected a whole number from 0 to 18446744073709551615" \
        pool-run -l 2.5 touch "$D/ran" ::: 1
    [ ! -e "$D/ran" ]
}

@test "--skip-first-line: the first record of the first input source is not used" {
    printf '1\n2\n3\n' > "$D/f3"
    run pool-run -k --skip-first-line echo < "$D/f3"
    assert_success
    assert_output "2
3"
    run pool-run -k --skip-first-line echo ::: a b c ::: x
    assert_output "b x
c x"
    run pool-run -k --skip-first-line -a "$D/f3" echo ::: a
    assert_output "2 a
3 a"
    # Before --header reads its line.
    printf 'junk\nname\nv1\nv2\n' > "$D/h"
    run pool-run -k --skip-first-line --header : echo {name} < "$D/h"
    assert_output "v1
v2"
    run --separate-stderr pool-run --skip-first-line --from q echo
    assert_failure 255
    assert_equal "${stderr_lines[0]}" "pool-run: --skip-first-line drops the first line of the first input source: it excludes --from"
}

@test "-N0 with several input sources: one job per combination, none of the inputs given, as GNU parallel" {
    run pool-run -k -N0 echo x ::: a b ::: c d
    assert_success
    assert_output "x
x
x
x"
    run pool-run -k -n0 echo '{#}' ::: a b ::: c d ::: e
    assert_output "1
2
3
4"
    run pool-run -k -N0 --link echo x ::: a b c ::: c d
    assert_output "x
x
x"
}
