#!/usr/bin/perl
# Sisimai over the bounce emails named on the command line, for benches/bench.py, which times
# this whole process and subtracts a run with no files (perl and Sisimai starting up).
# Prints: Sisimai's version, emails read, recipients found, seconds inside the loop.
use strict;
use warnings;
use Sisimai;
use Time::HiRes qw(time);

# Sisimai 5 parses with rise(); 4.x (Debian bookworm's libsisimai-perl is 4.25) with make().
my $parse = Sisimai->can('rise') ? 'rise' : 'make';
my ($found, $start) = (0, time);
for my $path (@ARGV) {
    my $results = Sisimai->$parse($path);
    $found += scalar @$results if $results;
}
printf "%s %d %d %.6f\n", Sisimai->version, scalar @ARGV, $found, time - $start;
