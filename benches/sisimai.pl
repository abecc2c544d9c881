#!/usr/bin/perl
# Sisimai over the bounce emails named on the command line, for benches/bench.py.
#   perl benches/sisimai.pl [--warm] FILE...
# Prints: Sisimai's version, emails read, recipients found, seconds spent in the timed pass.
# bench.py times a cold run as this whole process less a run with no files (perl and Sisimai
# starting up); --warm reads the files once untimed first (Sisimai loads its MTA modules on
# first use), so the timed pass is Sisimai at its fastest.
use strict;
use warnings;
use Sisimai;
use Time::HiRes qw(time);

my $warm = @ARGV && $ARGV[0] eq '--warm' ? shift @ARGV : 0;
# Sisimai 5 parses with rise(); 4.x (Debian bookworm's libsisimai-perl is 4.25) with make().
my $parse = Sisimai->can('rise') ? 'rise' : 'make';

sub pass {
    my $found = 0;
    for my $path (@ARGV) {
        my $results = Sisimai->$parse($path);
        $found += scalar @$results if $results;
    }
    return $found;
}

pass() if $warm;
my $start = time;
my $found = pass();
printf "%s %d %d %.6f\n", Sisimai->version, scalar @ARGV, $found, time - $start;
