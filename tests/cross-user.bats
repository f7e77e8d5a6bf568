#!/usr/bin/env bats
# Another local user is an adversary: nobody (via setpriv, see as_nobody)
# plants, forges or reads what the owner's tools use, and the owner's tools
# must refuse, stay correct or say so -- never crash, stall or leak.
# Covers issue 11, items 1-7. Run as root (the tests skip otherwise).

load helper

setup() {
    [ "$(id -u)" = 0 ] || skip "needs root to act as another user (setpriv)"
}

teardown() { remove_test_queues; }

# --- 1-4: rings and task-count companions in /dev/shm -------------------

# --- 5: fifo: endpoints -------------------------------------------------

# --- 6: Redis passwords -------------------------------------------------

# --- 7: names and command lines reach the terminal escaped --------------
