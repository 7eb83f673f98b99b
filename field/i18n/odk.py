"""Messages of offline capture over OpenRosa (`field.odk`, `web/odk.py`): zh and en for each key.

The route answers ODK Collect in the device user's language; Collect shows the sentence as is.
"""

MESSAGES: dict[str, dict[str, str]] = {
    "odk.bad_token": {"zh": "设备令牌无效或已吊销，请向管理员重新获取服务器地址。",
                      "en": "The device token is unknown or revoked: ask for a new server URL."},
    "odk.user_inactive": {"zh": "用户 {user} 已停用，不能发放设备令牌。",
                          "en": "User {user} is disabled: no device token can be issued."},
    "odk.label_long": {"zh": "设备名称过长（上限 {max} 字）。", "en": "The device name is too long (limit {max})."},
    "odk.no_device": {"zh": "没有编号为 {id} 的设备。", "en": "There is no device {id}."},
    "odk.malformed": {"zh": "提交内容不是有效的 XML，请重新发送。",
                      "en": "The submission is not well-formed XML: please send it again."},
    "odk.unknown_form": {"zh": "本服务器没有表单“{form}”，请先更新表单（获取空白表单）。",
                         "en": "This server has no form \"{form}\": update the blank forms first."},
    "odk.no_instance_id": {"zh": "提交缺少 instanceID，无法识别。", "en": "The submission has no instanceID."},
    "odk.instance_taken": {"zh": "该提交（{instance}）已由其他用户发送过。",
                           "en": "This submission ({instance}) was already sent by another user."},
    "odk.no_xml": {"zh": "请求中没有 xml_submission_file。", "en": "The request has no xml_submission_file."},
    "odk.too_large": {"zh": "请求过大（上限 {max_mb} MB），请缩小照片后重新发送。",
                      "en": "The request is too large (limit {max_mb} MB): make the photos smaller and resend."},
    "odk.not_multipart": {"zh": "提交必须是 multipart/form-data。", "en": "A submission must be multipart/form-data."},
    "odk.bad_geopoint": {"zh": "位置“{value}”无法识别（应为 纬度 经度 高程 精度）。",
                         "en": "The location \"{value}\" cannot be read (expected lat lon altitude accuracy)."},
    "odk.no_case": {"zh": "没有受理编号为 {case_no} 的交办件。", "en": "There is no case numbered {case_no}."},
    "odk.missing_photo": {"zh": "照片 {name} 没有随提交发送。", "en": "The photo {name} was not sent with the submission."},
    "odk.too_many_files": {"zh": "附件过多（上限 {max} 个）。", "en": "Too many attachments (limit {max})."},
    "odk.not_in_review": {"zh": "提交 {id} 不在待审核列表中。", "en": "Submission {id} is not waiting for review."},
    "odk.bad_fix": {"zh": "字段 {field} 不能在审核时修改。", "en": "The field {field} cannot be changed in review."},
    "odk.need_reason": {"zh": "请填写退回原因。", "en": "Give a reason for rejecting it."},
    "odk.received": {"zh": "已收到，已登记为问题 #{finding}。", "en": "Received: recorded as finding #{finding}."},
    "odk.part_received": {"zh": "已收到部分内容，等待其余附件。", "en": "Part received; waiting for the remaining attachments."},
    "odk.duplicate": {"zh": "此前已收到（问题 #{finding}），未重复登记。",
                      "en": "Already received (finding #{finding}); not recorded twice."},
    "odk.in_review": {"zh": "已收到并保存，需人工审核后登记：{reason}",
                      "en": "Received and kept; a case officer must review it before it is recorded: {reason}"},
    "odk.was_rejected": {"zh": "此提交已被审核退回，未登记。", "en": "This submission was rejected in review."},
}
