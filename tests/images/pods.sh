# Sourced by images.sh, with example/bb imported: pods from images on
# each backend (oci, nspawn, kvm under TCG: the merged root shared over
# 9p), with storage = "overlay".
manifest() {   # manifest FILE NAME CONTAINER-JSON-FIELDS
        printf '{"apiVersion":"podrt/v1","kind":"Pod","name":"%s","containers":[{"name":"app",%s}]}\n' \
                "$2" "$3" > "$1"
}

for be in oci nspawn kvm; do
        case $be in
        oci) command -v runc >/dev/null || { echo "# skip oci: no runc"; continue; } ;;
        nspawn) command -v systemd-nspawn >/dev/null || { echo "# skip nspawn: no systemd-nspawn"; continue; } ;;
        kvm) { [ -f "$KERNEL" ] && [ -d "$MODULES" ] && command -v qemu-system-x86_64 >/dev/null; } ||
                { echo "# skip kvm: no guest kernel ($KERNEL) or QEMU"; continue; } ;;
        esac
        manifest "$T/run-$be.json" "img-$be" '"image":"example/bb","env":{"OTHER":"manifest"}'
        out=$(P --backend "$be" run --rm "$T/run-$be.json" 2>&1); rc=$?
        same "$be: a pod from the two-layer image exits 0" "$rc" 0
        same "$be: the image's Cmd, Env (the manifest's wins) and WorkingDir; the deleted file absent; the opaque dir's old files gone" \
                "$out" "from-image manifest /app
no-doomed
new"
        manifest "$T/cmd-$be.json" "cmd-$be" '"image":"example/bb","command":["/bin/echo","replaced"]'
        same "$be: the manifest's command replaces Entrypoint and Cmd" \
                "$(P --backend "$be" run --rm "$T/cmd-$be.json" 2>&1)" replaced

        # Two pods from one image write the same path.
        manifest "$T/wa-$be.json" "wa-$be" '"image":"example/bb","command":["/bin/sh","-c","echo a > /app/hello; echo mine > /written; cat /app/hello"]'
        manifest "$T/wb-$be.json" "wb-$be" '"image":"example/bb","command":["/bin/sh","-c","cat /written 2>/dev/null || echo absent; cat /app/hello"]'
        same "$be: the first pod writes its files" "$(P --backend "$be" run "$T/wa-$be.json" 2>&1)" a
        same "$be: the second pod sees neither (the image's /app/hello, no /written)" \
                "$(P --backend "$be" run "$T/wb-$be.json" 2>&1)" "absent
hello"
        same "$be: the image's layers are unchanged" \
                "$(cat "$S"/layers/*/app/hello; ls "$S"/layers/*/written 2>/dev/null)" hello

        # In use means kept.
        out=$(P image rm example/bb 2>&1); rc=$?
        same "$be: image rm of an image in use exits 125" "$rc" 125
        has "$be: naming the pods" "$out" "wa-$be"
        has "$be: both of them" "$out" "wb-$be"
        P delete "wa-$be" "wb-$be" >/dev/null 2>&1
        same "$be: delete unmounts and removes the pods' overlays" \
                "$(grep -F " $T/state/" /proc/self/mountinfo | grep -c overlay)" 0

        manifest "$T/ro-$be.json" "ro-$be" '"image":"example/bb","readOnlyRootfs":true,"command":["/bin/sh","-c","echo x > /x 2>/dev/null && echo wrote || echo read-only; cat /app/hello"]'
        same "$be: readOnlyRootfs: the image's root, read-only" \
                "$(P --backend "$be" run --rm "$T/ro-$be.json" 2>/dev/null)" "read-only
hello"

        # A rootfs app on overlay: the directory stays untouched.
        manifest "$T/rf-$be.json" "rf-$be" "\"rootfs\":\"$T/rootfs\",\"command\":[\"/bin/sh\",\"-c\",\"echo t > /touched; cat /touched\"]"
        [ -d "$T/rootfs" ] || { cp -a "$B/rootfs" "$T/rootfs"; mkdir -p "$T/rootfs/usr/lib"; touch "$T/rootfs/usr/lib/os-release"; }
        same "$be: a rootfs app on overlay writes" "$(P --backend "$be" run --rm "$T/rf-$be.json" 2>&1)" t
        same "$be: into its own layer, its rootfs untouched" "$(ls "$T/rootfs/touched" 2>/dev/null)" ""
done

manifest "$T/unknown.json" unknown '"image":"example/nonesuch"'
out=$(P --backend oci create "$T/unknown.json" 2>&1); rc=$?
same "an unknown image: create exits 125" "$rc" 125
has "naming containers[0].image" "$out" "containers[0].image: no image \"example/nonesuch\""
manifest "$T/both.json" both "\"image\":\"example/bb\",\"rootfs\":\"$B/rootfs\""
has "rootfs and image: refused" "$(P --backend oci create "$T/both.json" 2>&1)" "containers[0].image: a container has a rootfs or an image, not both"
manifest "$T/dir.json" dirst '"image":"example/bb"'
printf 'images = { dir = "%s"; };\noci = { runtime = "runc"; };\n' "$S" > "$T/unset.conf"
same "storage unset: a pod with an image app runs on overlay" \
        "$("$B/core/cli/podrt" --config "$T/unset.conf" --root "$T/state" --backend oci run --rm "$T/dir.json" 2>&1 | head -1)" \
        "from-image image-other /app"
printf 'images = { dir = "%s"; };\nstorage = "dir";\n' "$S" > "$T/dir.conf"
out=$("$B/core/cli/podrt" --config "$T/dir.conf" --root "$T/state" --backend oci create "$T/dir.json" 2>&1); rc=$?
same "storage dir: an image app is refused" "$rc" 125
has "saying why" "$out" "dir cannot stack layers"

# rm --force of an image a pod uses: the name goes, the layers stay (they
# are the pod's root) until the pod is gone and prune runs.
if command -v runc >/dev/null; then
        manifest "$T/force.json" force '"image":"example/bb","command":["/bin/cat","/app/hello"]'
        P --backend oci create "$T/force.json" >/dev/null 2>&1
        out=$(P image rm --force example/bb 2>&1); rc=$?
        same "image rm --force of an image in use exits 0" "$rc" 0
        has "the image stays, unnamed" "$(P image list)" "<none>"
        P image prune >/dev/null 2>&1
        same "prune keeps it while the pod exists" "$(ls "$S/layers" | wc -l)" 2
        same "and the pod still runs on it" "$(P --backend oci start force >/dev/null 2>&1; sleep 1; P logs force 2>&1)" hello
        P delete --force force >/dev/null 2>&1
        P image prune >/dev/null 2>&1
        same "once the pod is gone, prune removes it" "$(P image list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; ls -A "$S/layers")" 0
        P image import --name example/bb oci:lay:latest >/dev/null 2>&1
fi
