#!/usr/bin/env bash
# Backup and point-in-time recovery drill (docs/operations.md, "Backups"): a throwaway cluster
# on private ports (Debian's PostgreSQL 15, run as postgres) with a WAL archive, a 138 MB table,
# pg_basebackup, a restore to a moment between two writes, and a new standby from the primary.
# Prints each step's time. Run as root (or as postgres without runuser): bash bench/pitr_drill.sh
set -e
B=/usr/lib/postgresql/15/bin
D=/tmp/repl/p; rm -rf $D; mkdir -p $D/archive; chown -R postgres $D
runuser -u postgres -- $B/initdb -D $D/primary -A trust -U postgres >/dev/null
cat >> $D/primary/postgresql.conf <<CONF
port = 55442
listen_addresses = '127.0.0.1'
unix_socket_directories = '$D'
wal_level = replica
archive_mode = on
archive_command = 'test ! -f $D/archive/%f && cp %p $D/archive/%f'
CONF
echo "host replication all 127.0.0.1/32 trust" >> $D/primary/pg_hba.conf
runuser -u postgres -- $B/pg_ctl -D $D/primary -l $D/primary.log -w start >/dev/null
psql -q -h 127.0.0.1 -p 55442 -U postgres -c "create table t as select g as x, md5(g::text) as y from generate_series(1, 2000000) g"
psql -Atq -h 127.0.0.1 -p 55442 -U postgres -c "select pg_size_pretty(pg_database_size('postgres'))"
s=$(date +%s.%N)
runuser -u postgres -- $B/pg_basebackup -h 127.0.0.1 -p 55442 -U postgres -D $D/base -X stream -c fast
e=$(date +%s.%N); echo "base backup: $(echo "$e - $s" | bc) s"
psql -q -h 127.0.0.1 -p 55442 -U postgres -c "insert into t values (-1, 'before')"
sleep 1; T=$(psql -Atq -h 127.0.0.1 -p 55442 -U postgres -c "select now()"); sleep 1
psql -q -h 127.0.0.1 -p 55442 -U postgres -c "insert into t values (-2, 'after')"
W=$(psql -Atq -h 127.0.0.1 -p 55442 -U postgres -c "select pg_walfile_name(pg_switch_wal())")
until [ -f $D/archive/$W ]; do sleep 0.2; done
runuser -u postgres -- $B/pg_ctl -D $D/primary -m immediate stop >/dev/null
s=$(date +%s.%N)
runuser -u postgres -- cp -a $D/base $D/restored
cat >> $D/restored/postgresql.conf <<CONF
port = 55443
restore_command = 'cp $D/archive/%f %p'
recovery_target_time = '$T'
recovery_target_action = 'promote'
CONF
runuser -u postgres -- touch $D/restored/recovery.signal
runuser -u postgres -- $B/pg_ctl -D $D/restored -l $D/restored.log -w -t 300 start >/dev/null
until psql -Atq -h 127.0.0.1 -p 55443 -U postgres -c "select not pg_is_in_recovery()" 2>/dev/null | grep -q t; do sleep 0.2; done
e=$(date +%s.%N); echo "restore to $T: $(echo "$e - $s" | bc) s"
psql -Atq -h 127.0.0.1 -p 55443 -U postgres -c "select y from t where x < 0 order by x"
runuser -u postgres -- $B/pg_ctl -D $D/restored -m fast stop >/dev/null
s=$(date +%s.%N)
runuser -u postgres -- $B/pg_ctl -D $D/primary -l $D/primary.log -w start >/dev/null
runuser -u postgres -- $B/pg_basebackup -h 127.0.0.1 -p 55442 -U postgres -D $D/standby -R -X stream -c fast
e=$(date +%s.%N); echo "new standby (pg_basebackup -R): $(echo "$e - $s" | bc) s"
runuser -u postgres -- $B/pg_ctl -D $D/primary -m fast stop >/dev/null
du -sh $D/base | cut -f1
rm -rf $D
