#!/bin/sh
# The object store's buckets and the portal's own user (compose.yaml's minio-init, with the
# minio/mc image; docs/deployment.md#the-object-store). Safe to run again.
#
#   S3_MEDIA_BUCKET    public media: anyone may GET an object by its name (the proxy's /media/);
#                      nobody may list it.
#   S3_PRIVATE_BUCKET  evidence: no anonymous access ever, every object encrypted (SSE-S3).
#   S3_ACCESS_KEY_ID   the portal's user: objects of those two buckets only; it cannot change
#                      a bucket's policy or encryption, nor make or remove buckets.
set -eu

: "${MINIO_ROOT_USER:?}" "${MINIO_ROOT_PASSWORD:?}"
: "${S3_ACCESS_KEY_ID:?}" "${S3_SECRET_ACCESS_KEY:?}"
media=${S3_MEDIA_BUCKET:-portal-media}
private=${S3_PRIVATE_BUCKET:-portal-private}
endpoint=${MINIO_ENDPOINT:-http://minio:9000}

mc alias set store "$endpoint" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null
mc mb --ignore-existing "store/$media" "store/$private"

mc anonymous set none "store/$private"
mc encrypt set sse-s3 "store/$private"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/media-read.json" <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": ["s3:GetObject"],
     "Resource": ["arn:aws:s3:::$media/*"]}
  ]
}
JSON
mc anonymous set-json "$work/media-read.json" "store/$media"

cat >"$work/portal-objects.json" <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow",
     "Action": ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
     "Resource": ["arn:aws:s3:::$media", "arn:aws:s3:::$private"]},
    {"Effect": "Allow",
     "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject",
                "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
     "Resource": ["arn:aws:s3:::$media/*", "arn:aws:s3:::$private/*"]}
  ]
}
JSON
mc admin user add store "$S3_ACCESS_KEY_ID" "$S3_SECRET_ACCESS_KEY" >/dev/null
mc admin policy create store portal-objects "$work/portal-objects.json" >/dev/null
# Attaching a policy the user already has is an error to mc: a second run checks instead.
mc admin policy attach store portal-objects --user "$S3_ACCESS_KEY_ID" >/dev/null 2>&1 ||
    mc admin user info store "$S3_ACCESS_KEY_ID" | grep -q portal-objects

echo "minio-init: $media (public GET), $private (private, SSE-S3), user $S3_ACCESS_KEY_ID"
