"""Messages of the photo store (`field.photos.store`, `field.photos.s3store`) and of
`python -m field migrate-photos`: zh and en for each key they raise or print."""

MESSAGES: dict[str, dict[str, str]] = {
    "store.unreachable": {
        "zh": "照片存储 {store} 无法连接（服务地址 {endpoint}，FIELD_S3_ENDPOINT）；请检查对象存储服务是否运行、网络是否可达。照片未保存，请稍后重试。",
        "en": "The photo store {store} cannot be reached (endpoint {endpoint}, FIELD_S3_ENDPOINT); check that the "
              "object storage service is running and reachable. The photo was not saved; try again later.",
    },
    "store.denied": {
        "zh": "照片存储 {store} 拒绝了访问凭据（{code}）；请检查 FIELD_S3_ACCESS_KEY 与 FIELD_S3_SECRET_KEY 及其权限。",
        "en": "The photo store {store} refused the credentials ({code}); check FIELD_S3_ACCESS_KEY, "
              "FIELD_S3_SECRET_KEY and their permissions.",
    },
    "store.no_bucket": {
        "zh": "照片存储的存储桶 {bucket} 不存在（{store}，FIELD_PHOTO_STORE）；请先创建该存储桶。",
        "en": "The photo store's bucket {bucket} does not exist ({store}, FIELD_PHOTO_STORE); create it first.",
    },
    "store.failed": {
        "zh": "照片存储 {store} 操作失败（{code}）；照片未保存，请稍后重试或联系管理员。",
        "en": "The photo store {store} failed ({code}); the photo was not saved. Try again later or ask the administrator.",
    },
    "store.locked": {
        "zh": "照片存储 {store} 的检查点日志正被另一进程写入，等待超时；请稍后重试。",
        "en": "Another process is writing the checkpoint log of the photo store {store} and did not finish in time; "
              "try again later.",
    },
    "store.same": {
        "zh": "源与目标是同一个照片存储（{store}），无需迁移。",
        "en": "The source and the target are the same photo store ({store}); nothing to migrate.",
    },
    "store.migrate_conflict": {
        "zh": "目标存储中的 {name} 与源文件内容不同，未覆盖（只写一次）；请核查后再迁移。",
        "en": "{name} in the target store differs from the source and was not overwritten (written once); "
              "check it before migrating again.",
    },
    "store.migrate_bad_source": {
        "zh": "源存储中的 {name} 内容与其 SHA-256 名称不符（已被改动），未复制；请运行 verify 查看。",
        "en": "{name} in the source store no longer matches its SHA-256 name (altered) and was not copied; "
              "run verify to see where it is used.",
    },
    "store.migrate_done": {
        "zh": "迁移到 {target}：共 {total} 个对象，新复制 {copied} 个，已存在且一致 {present} 个，校验 {verified} 个，"
              "问题 {problems} 个。",
        "en": "Migrated to {target}: {total} objects, {copied} copied, {present} already there and identical, "
              "{verified} hashes checked, {problems} problems.",
    },
    "store.migrate_switch": {
        "zh": "全部校验通过。现在将 FIELD_PHOTO_STORE 设为 {target} 并重启各应用进程；旧存储可在确认后删除。",
        "en": "Every hash checked. Now set FIELD_PHOTO_STORE={target} and restart every app process; "
              "the old store can be removed once you are satisfied.",
    },
}
