<?xml version='1.0' encoding='utf-8'?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AboutDialog</name>
    <message>
        <location filename="../../app/ui/about_dialog.py" line="74" />
        <source>About Pharos</source>
        <translation>关于 Pharos</translation>
    </message>
    <message>
        <location filename="../../app/ui/about_dialog.py" line="77" />
        <source>Operator workstation for the quality and test stations of the CT factory. Quote these versions in deviation reports and validation records.</source>
        <translation>CT 工厂质量与测试工位的操作员工作站。在偏差报告和验证记录中请注明以下版本。</translation>
    </message>
    <message>
        <location filename="../../app/ui/about_dialog.py" line="79" />
        <source>Component</source>
        <translation>组件</translation>
    </message>
    <message>
        <location filename="../../app/ui/about_dialog.py" line="79" />
        <source>Version</source>
        <translation>版本</translation>
    </message>
</context>
<context>
    <name>AlarmTable</name>
    <message>
        <location filename="../../widgets/alarm_table.py" line="62" />
        <source>Active</source>
        <translation>活动</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_table.py" line="63" />
        <source>Acknowledged</source>
        <translation>已确认</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_table.py" line="64" />
        <source>Cleared, not acknowledged</source>
        <translation>已恢复，未确认</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_table.py" line="65" />
        <source>Closed</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_table.py" line="69" />
        <source>Critical</source>
        <translation>紧急</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_table.py" line="70" />
        <source>High</source>
        <translation>高</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_table.py" line="71" />
        <source>Medium</source>
        <translation>中</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_table.py" line="72" />
        <source>Low</source>
        <translation>低</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_table.py" line="73" />
        <source>Info</source>
        <translation>信息</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_table.py" line="102" />
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_table.py" line="103" />
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_table.py" line="104" />
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_table.py" line="105" />
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_table.py" line="106" />
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_table.py" line="131" />
        <source>Acknowledged by %1</source>
        <translation>由 %1 确认</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_table.py" line="225" />
        <source>%1 active, %2 not acknowledged</source>
        <translation>%1 条活动，%2 条未确认</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_table.py" line="229" />
        <source>Acknowledge</source>
        <translation>确认报警</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_table.py" line="230" />
        <source>Acknowledge the selected alarms</source>
        <translation>确认所选报警</translation>
    </message>
</context>
<context>
    <name>AuditViewer</name>
    <message>
        <location filename="../../app/ui/audit_viewer.py" line="203" />
        <source>%1 entries</source>
        <translation>%1 条记录</translation>
    </message>
    <message>
        <location filename="../../app/ui/audit_viewer.py" line="205" />
        <source>(first %1 shown: narrow the filters)</source>
        <translation>（仅显示前 %1 条：请缩小筛选范围）</translation>
    </message>
    <message>
        <location filename="../../app/ui/audit_viewer.py" line="209" />
        <source>Export the audit trail</source>
        <translation>导出审计追踪</translation>
    </message>
    <message>
        <location filename="../../app/ui/audit_viewer.py" line="216" />
        <source>Exported to %1</source>
        <translation>已导出到 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/audit_viewer.py" line="230" />
        <source>Audit trail intact: %1 entries, every link verified.</source>
        <translation>审计追踪完整：%1 条记录，每个链接均已校验。</translation>
    </message>
    <message>
        <location filename="../../app/ui/audit_viewer.py" line="235" />
        <source>Audit trail BROKEN at entry %1: %2</source>
        <translation>审计追踪在第 %1 条处断裂：%2</translation>
    </message>
    <message>
        <location filename="../../app/ui/audit_viewer.py" line="238" />
        <source>Do not use this station's records until quality assurance has investigated; keep the database file as it is.</source>
        <translation>在质量保证部门调查之前，请勿使用本工位的记录；保持数据库文件原样。</translation>
    </message>
    <message>
        <location filename="../../app/ui/audit_viewer.py" line="60" />
        <location filename="../../app/ui/audit_viewer.py" line="243" />
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <location filename="../../app/ui/audit_viewer.py" line="58" />
        <source>#</source>
        <translation>序号</translation>
    </message>
    <message>
        <location filename="../../app/ui/audit_viewer.py" line="59" />
        <source>Time (UTC)</source>
        <translation>时间 (UTC)</translation>
    </message>
    <message>
        <location filename="../../app/ui/audit_viewer.py" line="61" />
        <location filename="../../app/ui/audit_viewer.py" line="243" />
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location filename="../../app/ui/audit_viewer.py" line="62" />
        <location filename="../../app/ui/audit_viewer.py" line="244" />
        <source>Entity</source>
        <translation>对象</translation>
    </message>
    <message>
        <location filename="../../app/ui/audit_viewer.py" line="63" />
        <source>Entity id</source>
        <translation>对象编号</translation>
    </message>
    <message>
        <location filename="../../app/ui/audit_viewer.py" line="64" />
        <source>Old value</source>
        <translation>原值</translation>
    </message>
    <message>
        <location filename="../../app/ui/audit_viewer.py" line="65" />
        <source>New value</source>
        <translation>新值</translation>
    </message>
    <message>
        <location filename="../../app/ui/audit_viewer.py" line="66" />
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../app/ui/audit_viewer.py" line="244" />
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <location filename="../../app/ui/audit_viewer.py" line="246" />
        <source>From</source>
        <translation>从</translation>
    </message>
    <message>
        <location filename="../../app/ui/audit_viewer.py" line="247" />
        <source>Until</source>
        <translation>至</translation>
    </message>
    <message>
        <location filename="../../app/ui/audit_viewer.py" line="248" />
        <source>Apply filters</source>
        <translation>应用筛选</translation>
    </message>
    <message>
        <location filename="../../app/ui/audit_viewer.py" line="249" />
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <location filename="../../app/ui/audit_viewer.py" line="250" />
        <source>Export PDF…</source>
        <translation>导出 PDF…</translation>
    </message>
    <message>
        <location filename="../../app/ui/audit_viewer.py" line="251" />
        <source>Verify chain</source>
        <translation>校验链</translation>
    </message>
</context>
<context>
    <name>AuditViewerDialog</name>
    <message>
        <location filename="../../app/ui/audit_viewer.py" line="268" />
        <location filename="../../app/ui/audit_viewer.py" line="272" />
        <source>Audit trail</source>
        <translation>审计追踪</translation>
    </message>
</context>
<context>
    <name>CentralPages</name>
    <message>
        <location filename="../../app/gui.py" line="99" />
        <source>The plant view is for supervisors.</source>
        <translation>工厂视图仅供主管使用。</translation>
    </message>
    <message>
        <location filename="../../app/gui.py" line="105" />
        <source>Central database sync</source>
        <translation>中央数据库同步</translation>
    </message>
    <message>
        <location filename="../../app/gui.py" line="107" />
        <source>Plant view</source>
        <translation>工厂视图</translation>
    </message>
    <message>
        <location filename="../../app/gui.py" line="115" />
        <source>Central database sync…</source>
        <translation>中央数据库同步…</translation>
    </message>
    <message>
        <location filename="../../app/gui.py" line="117" />
        <source>Plant view…</source>
        <translation>工厂视图…</translation>
    </message>
</context>
<context>
    <name>ChangePasswordDialog</name>
    <message>
        <location filename="../../app/ui/login_dialog.py" line="79" />
        <source>The two new passwords differ.</source>
        <translation>两次输入的新密码不一致。</translation>
    </message>
    <message>
        <location filename="../../app/ui/login_dialog.py" line="80" />
        <source>Type the same new password twice.</source>
        <translation>请两次输入相同的新密码。</translation>
    </message>
    <message>
        <location filename="../../app/ui/login_dialog.py" line="83" />
        <source>The new password must differ from the old one.</source>
        <translation>新密码必须与旧密码不同。</translation>
    </message>
    <message>
        <location filename="../../app/ui/login_dialog.py" line="94" />
        <source>Change password</source>
        <translation>修改密码</translation>
    </message>
    <message>
        <location filename="../../app/ui/login_dialog.py" line="96" />
        <source>Your password was set by an administrator. Choose your own password to continue.</source>
        <translation>您的密码由管理员设置。请设置您自己的密码后继续。</translation>
    </message>
    <message>
        <location filename="../../app/ui/login_dialog.py" line="98" />
        <source>Your password has expired. Choose a new one to continue.</source>
        <translation>您的密码已过期。请设置新密码后继续。</translation>
    </message>
    <message>
        <location filename="../../app/ui/login_dialog.py" line="99" />
        <source>Change the password of %1.</source>
        <translation>修改 %1 的密码。</translation>
    </message>
    <message>
        <location filename="../../app/ui/login_dialog.py" line="101" />
        <source>Current password</source>
        <translation>当前密码</translation>
    </message>
    <message>
        <location filename="../../app/ui/login_dialog.py" line="102" />
        <source>New password</source>
        <translation>新密码</translation>
    </message>
    <message>
        <location filename="../../app/ui/login_dialog.py" line="103" />
        <source>New password again</source>
        <translation>再次输入新密码</translation>
    </message>
</context>
<context>
    <name>LockScreen</name>
    <message>
        <location filename="../../app/ui/idle_lock.py" line="185" />
        <source>%1 is not an administrator.</source>
        <translation>%1 不是管理员。</translation>
    </message>
    <message>
        <location filename="../../app/ui/idle_lock.py" line="200" />
        <source>Workstation locked</source>
        <translation>工作站已锁定</translation>
    </message>
    <message>
        <location filename="../../app/ui/idle_lock.py" line="204" />
        <source>Locked for %1. Enter the password to continue; open work is kept.</source>
        <translation>已为 %1 锁定。输入密码继续；未完成的工作会保留。</translation>
    </message>
    <message>
        <location filename="../../app/ui/idle_lock.py" line="207" />
        <source>Logged out</source>
        <translation>已退出登录</translation>
    </message>
    <message>
        <location filename="../../app/ui/idle_lock.py" line="208" />
        <source>Log in to use the workstation.</source>
        <translation>请登录后使用工作站。</translation>
    </message>
    <message>
        <location filename="../../app/ui/idle_lock.py" line="209" />
        <location filename="../../app/ui/idle_lock.py" line="214" />
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../../app/ui/idle_lock.py" line="210" />
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <location filename="../../app/ui/idle_lock.py" line="211" />
        <source>Log in…</source>
        <translation>登录…</translation>
    </message>
    <message>
        <location filename="../../app/ui/idle_lock.py" line="212" />
        <source>Administrator override</source>
        <translation>管理员解锁</translation>
    </message>
    <message>
        <location filename="../../app/ui/idle_lock.py" line="213" />
        <source>Administrator</source>
        <translation>管理员</translation>
    </message>
    <message>
        <location filename="../../app/ui/idle_lock.py" line="215" />
        <source>Unlock as administrator</source>
        <translation>以管理员身份解锁</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../../app/ui/login_dialog.py" line="152" />
        <source>Enter your user name and password.</source>
        <translation>请输入用户名和密码。</translation>
    </message>
    <message>
        <location filename="../../app/ui/login_dialog.py" line="173" />
        <source>Your password must be changed before you can log in.</source>
        <translation>登录前必须修改密码。</translation>
    </message>
    <message>
        <location filename="../../app/ui/login_dialog.py" line="174" />
        <source>Log in again and choose a new password.</source>
        <translation>请重新登录并设置新密码。</translation>
    </message>
    <message>
        <location filename="../../app/ui/login_dialog.py" line="186" />
        <source>Pharos log in</source>
        <translation>Pharos 登录</translation>
    </message>
    <message>
        <location filename="../../app/ui/login_dialog.py" line="187" />
        <source>Pharos workstation</source>
        <translation>Pharos 工作站</translation>
    </message>
    <message>
        <location filename="../../app/ui/login_dialog.py" line="188" />
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <location filename="../../app/ui/login_dialog.py" line="189" />
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../../app/ui/login_dialog.py" line="190" />
        <source>Log in</source>
        <translation>登录</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../app/ui/main_window.py" line="188" />
        <source>Open a station to inject its faults</source>
        <translation>先打开一个工位，才能注入它的故障</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="215" />
        <source>Not logged in</source>
        <translation>未登录</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="216" />
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="236" />
        <source>log out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="293" />
        <source>Station %1 could not open its panel: %2</source>
        <translation>工位 %1 无法打开界面：%2</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="316" />
        <source>Only an administrator can manage users.</source>
        <translation>只有管理员可以管理用户。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="350" />
        <source>Pharos workstation</source>
        <translation>Pharos 工作站</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="351" />
        <source>DEMO (simulated hardware)</source>
        <translation>演示（模拟硬件）</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="352" />
        <source>DEMO · simulators, not production records</source>
        <translation>演示 · 模拟器，非正式生产记录</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="353" />
        <source>&amp;Demo</source>
        <translation>演示(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="354" />
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="355" />
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="356" />
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="357" />
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="358" />
        <source>Audit trail…</source>
        <translation>审计追踪…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="359" />
        <source>User administration…</source>
        <translation>用户管理…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="360" />
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="361" />
        <source>Full screen</source>
        <translation>全屏</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="362" />
        <source>Change password…</source>
        <translation>修改密码…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="363" />
        <source>Lock</source>
        <translation>锁定</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="364" />
        <source>Log out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="365" />
        <source>About Pharos…</source>
        <translation>关于 Pharos…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="408" />
        <source>Cannot %1 now: %2 is still working.</source>
        <translation>现在无法%1：%2 仍在运行。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="410" />
        <source>Stop or finish the running test first.</source>
        <translation>请先停止或完成正在进行的测试。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="416" />
        <source>close</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>MeasurementTable</name>
    <message>
        <location filename="../../widgets/measurement_table.py" line="33" />
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location filename="../../widgets/measurement_table.py" line="34" />
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <location filename="../../widgets/measurement_table.py" line="73" />
        <source>Measurement</source>
        <translation>测量项</translation>
    </message>
    <message>
        <location filename="../../widgets/measurement_table.py" line="74" />
        <source>Value</source>
        <translation>数值</translation>
    </message>
    <message>
        <location filename="../../widgets/measurement_table.py" line="75" />
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <location filename="../../widgets/measurement_table.py" line="76" />
        <source>Limits</source>
        <translation>限值</translation>
    </message>
    <message>
        <location filename="../../widgets/measurement_table.py" line="77" />
        <source>Verdict</source>
        <translation>判定</translation>
    </message>
    <message>
        <location filename="../../widgets/measurement_table.py" line="117" />
        <source>Limits: %1</source>
        <translation>限值：%1</translation>
    </message>
</context>
<context>
    <name>MessageBar</name>
    <message>
        <location filename="../../widgets/message_bar.py" line="109" />
        <source>Unexpected error: %1</source>
        <translation>意外错误：%1</translation>
    </message>
    <message>
        <location filename="../../widgets/message_bar.py" line="111" />
        <source>Report this with the log file.</source>
        <translation>请连同日志文件一起报告此问题。</translation>
    </message>
    <message>
        <location filename="../../widgets/message_bar.py" line="124" />
        <source>What to do: %1</source>
        <translation>处理方法：%1</translation>
    </message>
    <message>
        <location filename="../../widgets/message_bar.py" line="129" />
        <source>Dismiss</source>
        <translation>关闭提示</translation>
    </message>
</context>
<context>
    <name>NotificationArea</name>
    <message>
        <location filename="../../app/ui/notifications.py" line="129" />
        <source>What to do: %1</source>
        <translation>处理方法：%1</translation>
    </message>
    <message>
        <location filename="../../app/ui/notifications.py" line="145" />
        <source>%1 unread errors</source>
        <translation>%1 条未读错误</translation>
    </message>
    <message>
        <location filename="../../app/ui/notifications.py" line="152" />
        <source>Notices</source>
        <translation>通知</translation>
    </message>
    <message>
        <location filename="../../app/ui/notifications.py" line="153" />
        <source>Show the latest notices and errors</source>
        <translation>显示最近的通知和错误</translation>
    </message>
    <message>
        <location filename="../../app/ui/notifications.py" line="154" />
        <source>Mark all read</source>
        <translation>全部标为已读</translation>
    </message>
</context>
<context>
    <name>PlantView</name>
    <message>
        <location filename="../../app/ui/plant_view.py" line="187" />
        <source>Period (days)</source>
        <translation>时间段（天）</translation>
    </message>
    <message>
        <location filename="../../app/ui/plant_view.py" line="188" />
        <source>Query central database</source>
        <translation>查询中央数据库</translation>
    </message>
    <message>
        <location filename="../../app/ui/plant_view.py" line="189" />
        <source>Results per scanner</source>
        <translation>各扫描仪结果</translation>
    </message>
    <message>
        <location filename="../../app/ui/plant_view.py" line="189" />
        <source>Fleet trend</source>
        <translation>全厂趋势</translation>
    </message>
    <message>
        <location filename="../../app/ui/plant_view.py" line="190" />
        <source>Alarm KPIs</source>
        <translation>报警 KPI</translation>
    </message>
    <message>
        <location filename="../../app/ui/plant_view.py" line="190" />
        <source>Stations</source>
        <translation>工位</translation>
    </message>
</context>
<context>
    <name>SafetyBanner</name>
    <message>
        <location filename="../../app/ui/notifications.py" line="205" />
        <source>SAFETY</source>
        <translation>安全</translation>
    </message>
</context>
<context>
    <name>SignatureDialog</name>
    <message>
        <location filename="../../widgets/esign_dialog.py" line="1" />
        <source>Checking the password and signing...</source>
        <translation>正在核对密码并签名……</translation>
    </message>
    <message>
        <location filename="../../widgets/esign_dialog.py" line="38" />
        <source>Reviewed</source>
        <translation>已复核</translation>
    </message>
    <message>
        <location filename="../../widgets/esign_dialog.py" line="39" />
        <source>Approved</source>
        <translation>已批准</translation>
    </message>
    <message>
        <location filename="../../widgets/esign_dialog.py" line="40" />
        <source>Released</source>
        <translation>已放行</translation>
    </message>
    <message>
        <location filename="../../widgets/esign_dialog.py" line="41" />
        <source>Rejected</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <location filename="../../widgets/esign_dialog.py" line="42" />
        <source>Verified</source>
        <translation>已验证</translation>
    </message>
    <message>
        <location filename="../../widgets/esign_dialog.py" line="43" />
        <source>Authored</source>
        <translation>已编制</translation>
    </message>
    <message>
        <location filename="../../widgets/esign_dialog.py" line="55" />
        <source>%1 by %2 (%3), %4</source>
        <translation>%1：%2 (%3)，%4</translation>
    </message>
    <message>
        <location filename="../../widgets/esign_dialog.py" line="189" />
        <source>Electronic signature</source>
        <translation>电子签名</translation>
    </message>
    <message>
        <location filename="../../widgets/esign_dialog.py" line="190" />
        <source>Content SHA-256</source>
        <translation>内容 SHA-256</translation>
    </message>
    <message>
        <location filename="../../widgets/esign_dialog.py" line="192" />
        <source>Meaning</source>
        <translation>签名含义</translation>
    </message>
    <message>
        <location filename="../../widgets/esign_dialog.py" line="192" />
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <location filename="../../widgets/esign_dialog.py" line="192" />
        <source>Printed name</source>
        <translation>签名人姓名</translation>
    </message>
    <message>
        <location filename="../../widgets/esign_dialog.py" line="193" />
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../../widgets/esign_dialog.py" line="193" />
        <source>Comment (optional)</source>
        <translation>备注（可选）</translation>
    </message>
    <message>
        <location filename="../../widgets/esign_dialog.py" line="201" />
        <source>By signing you confirm the meaning above for exactly this content. Your electronic signature is the legally binding equivalent of your handwritten signature.</source>
        <translation>签名即表示您对上述内容确认所选含义。您的电子签名与手写签名具有同等法律效力。</translation>
    </message>
    <message>
        <location filename="../../widgets/esign_dialog.py" line="204" />
        <source>Sign</source>
        <translation>签名</translation>
    </message>
</context>
<context>
    <name>SliceViewer</name>
    <message>
        <location filename="../../widgets/slice_viewer.py" line="39" />
        <source>Soft tissue</source>
        <translation>软组织</translation>
    </message>
    <message>
        <location filename="../../widgets/slice_viewer.py" line="40" />
        <source>Bone</source>
        <translation>骨</translation>
    </message>
    <message>
        <location filename="../../widgets/slice_viewer.py" line="41" />
        <source>Phantom</source>
        <translation>体模</translation>
    </message>
    <message>
        <location filename="../../widgets/slice_viewer.py" line="42" />
        <source>Lung</source>
        <translation>肺</translation>
    </message>
    <message>
        <location filename="../../widgets/slice_viewer.py" line="43" />
        <source>Wide</source>
        <translation>宽窗</translation>
    </message>
    <message>
        <location filename="../../widgets/slice_viewer.py" line="44" />
        <source>Custom</source>
        <translation>自定义</translation>
    </message>
    <message>
        <location filename="../../widgets/slice_viewer.py" line="226" />
        <source>W %1  L %2</source>
        <translation>窗宽 %1  窗位 %2</translation>
    </message>
    <message>
        <location filename="../../widgets/slice_viewer.py" line="374" />
        <source>x %1  y %2   %3 HU</source>
        <translation>x %1  y %2   %3 HU</translation>
    </message>
    <message>
        <location filename="../../widgets/slice_viewer.py" line="381" />
        <source>Fit</source>
        <translation>适应窗口</translation>
    </message>
    <message>
        <location filename="../../widgets/slice_viewer.py" line="382" />
        <source>Fit the image to the view (double click)</source>
        <translation>使图像适应视图（双击）</translation>
    </message>
    <message>
        <location filename="../../widgets/slice_viewer.py" line="383" />
        <source>AI heatmap</source>
        <translation>AI 热力图</translation>
    </message>
    <message>
        <location filename="../../widgets/slice_viewer.py" line="385" />
        <source>Window/level preset. Right-drag on the image: left/right = window, up/down = level</source>
        <translation>窗宽/窗位预设。在图像上按住右键拖动：左右调窗宽，上下调窗位</translation>
    </message>
</context>
<context>
    <name>StationHost</name>
    <message>
        <location filename="../../app/ui/station_host.py" line="305" />
        <source>Roles that may open this station: %1</source>
        <translation>可打开此工位的角色：%1</translation>
    </message>
    <message>
        <location filename="../../app/ui/station_host.py" line="331" />
        <source>%1 (unavailable)</source>
        <translation>%1（不可用）</translation>
    </message>
    <message>
        <location filename="../../app/ui/station_host.py" line="332" />
        <source>Unavailable: %1</source>
        <translation>不可用：%1</translation>
    </message>
    <message>
        <location filename="../../app/ui/station_host.py" line="334" />
        <source>Choose a station on the left.</source>
        <translation>请在左侧选择工位。</translation>
    </message>
</context>
<context>
    <name>StationStatusPage</name>
    <message>
        <location filename="../../app/ui/station_host.py" line="109" />
        <source>%1 is unavailable</source>
        <translation>%1 不可用</translation>
    </message>
    <message>
        <location filename="../../app/ui/station_host.py" line="111" />
        <source>The other stations keep working. Give this message and the log file to the station administrator.</source>
        <translation>其他工位照常工作。请将此消息和日志文件交给工位管理员。</translation>
    </message>
    <message>
        <location filename="../../app/ui/station_host.py" line="114" />
        <source>%1: not allowed for your role</source>
        <translation>%1：您的角色无权打开</translation>
    </message>
    <message>
        <location filename="../../app/ui/station_host.py" line="115" />
        <source>Log in as a user with one of these roles.</source>
        <translation>请使用具有上述角色之一的用户登录。</translation>
    </message>
</context>
<context>
    <name>StatusLights</name>
    <message>
        <location filename="../../app/ui/status_lights.py" line="71" />
        <source>Updated %1</source>
        <translation>更新于 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_lights.py" line="76" />
        <source>Hardware</source>
        <translation>硬件</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_lights.py" line="76" />
        <source>PACS</source>
        <translation>PACS</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_lights.py" line="77" />
        <source>Central database</source>
        <translation>中央数据库</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_lights.py" line="78" />
        <source>Sync backlog</source>
        <translation>待同步</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_lights.py" line="81" />
        <source>connected</source>
        <translation>已连接</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_lights.py" line="81" />
        <source>degraded</source>
        <translation>性能下降</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_lights.py" line="82" />
        <source>not connected</source>
        <translation>未连接</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_lights.py" line="82" />
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_lights.py" line="83" />
        <source>not configured</source>
        <translation>未配置</translation>
    </message>
</context>
<context>
    <name>SyncPage</name>
    <message>
        <location filename="../../app/ui/sync_page.py" line="124" />
        <source>Pushed {0} rows ({1} quarantined); {2} configuration items pulled.</source>
        <translation>已推送 {0} 行（{1} 行隔离）；已拉取 {2} 项配置。</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_page.py" line="154" />
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_page.py" line="154" />
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_page.py" line="155" />
        <source>not yet</source>
        <translation>尚未</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_page.py" line="159" />
        <source>{0:.0f} s</source>
        <translation>{0:.0f} 秒</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_page.py" line="161" />
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_page.py" line="168" />
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_page.py" line="168" />
        <source>Connected</source>
        <translation>已连接</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_page.py" line="168" />
        <source>Backlog (rows)</source>
        <translation>待同步（行）</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_page.py" line="169" />
        <source>Oldest unsynced</source>
        <translation>最早未同步</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_page.py" line="169" />
        <location filename="../../app/ui/sync_page.py" line="176" />
        <source>Quarantined</source>
        <translation>已隔离</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_page.py" line="169" />
        <source>Last sync (UTC)</source>
        <translation>上次同步 (UTC)</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_page.py" line="170" />
        <source>Last error</source>
        <translation>上次错误</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_page.py" line="172" />
        <source>Sync now</source>
        <translation>立即同步</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_page.py" line="173" />
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_page.py" line="175" />
        <source>#</source>
        <translation>序号</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_page.py" line="175" />
        <source>Table</source>
        <translation>数据表</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_page.py" line="175" />
        <source>Row id</source>
        <translation>行编号</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_page.py" line="175" />
        <source>Seq</source>
        <translation>序号</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_page.py" line="176" />
        <source>Created (UTC)</source>
        <translation>创建时间 (UTC)</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_page.py" line="176" />
        <source>Attempts</source>
        <translation>尝试次数</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_page.py" line="177" />
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_page.py" line="179" />
        <source>No central database configured ([database] central_url).</source>
        <translation>未配置中央数据库（[database] central_url）。</translation>
    </message>
</context>
<context>
    <name>TaskProgressBar</name>
    <message>
        <location filename="../../widgets/progress_bar.py" line="68" />
        <source>Working…</source>
        <translation>正在处理…</translation>
    </message>
    <message>
        <location filename="../../widgets/progress_bar.py" line="88" />
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <location filename="../../widgets/progress_bar.py" line="98" />
        <source>Stopped: %1</source>
        <translation>已停止：%1</translation>
    </message>
    <message>
        <location filename="../../widgets/progress_bar.py" line="102" />
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../widgets/progress_bar.py" line="105" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../widgets/progress_bar.py" line="106" />
        <source>Stop the running task after its current step</source>
        <translation>在当前步骤完成后停止正在运行的任务</translation>
    </message>
</context>
<context>
    <name>TrendPlot</name>
    <message>
        <location filename="../../widgets/trend_plot.py" line="112" />
        <source>action high</source>
        <translation>行动上限</translation>
    </message>
    <message>
        <location filename="../../widgets/trend_plot.py" line="113" />
        <source>action low</source>
        <translation>行动下限</translation>
    </message>
    <message>
        <location filename="../../widgets/trend_plot.py" line="115" />
        <source>warning high</source>
        <translation>警告上限</translation>
    </message>
    <message>
        <location filename="../../widgets/trend_plot.py" line="117" />
        <source>warning low</source>
        <translation>警告下限</translation>
    </message>
    <message>
        <location filename="../../widgets/trend_plot.py" line="122" />
        <source>target %1</source>
        <translation>目标值 %1</translation>
    </message>
    <message>
        <location filename="../../widgets/trend_plot.py" line="146" />
        <source>Date / time (local)</source>
        <translation>日期 / 时间（本地）</translation>
    </message>
</context>
<context>
    <name>UserAdmin</name>
    <message>
        <location filename="../../app/ui/i18n.py" line="77" />
        <source>Operator</source>
        <translation>操作员</translation>
    </message>
    <message>
        <location filename="../../app/ui/i18n.py" line="78" />
        <source>Quality engineer</source>
        <translation>质量工程师</translation>
    </message>
    <message>
        <location filename="../../app/ui/i18n.py" line="79" />
        <source>Reviewer</source>
        <translation>复核员</translation>
    </message>
    <message>
        <location filename="../../app/ui/i18n.py" line="80" />
        <source>Supervisor</source>
        <translation>主管</translation>
    </message>
    <message>
        <location filename="../../app/ui/i18n.py" line="81" />
        <source>Administrator</source>
        <translation>管理员</translation>
    </message>
    <message>
        <location filename="../../app/ui/user_admin.py" line="127" />
        <source>The acting user %1 does not exist.</source>
        <translation>操作用户 %1 不存在。</translation>
    </message>
    <message>
        <location filename="../../app/ui/user_admin.py" line="191" />
        <source>Choose at least one role.</source>
        <translation>请至少选择一个角色。</translation>
    </message>
    <message>
        <location filename="../../app/ui/user_admin.py" line="206" />
        <source>The two passwords differ.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
</context>
<context>
    <name>UserAdminDialog</name>
    <message>
        <location filename="../../app/ui/user_admin.py" line="298" />
        <location filename="../../app/ui/user_admin.py" line="302" />
        <source>User administration</source>
        <translation>用户管理</translation>
    </message>
</context>
<context>
    <name>UserAdminPanel</name>
    <message>
        <location filename="../../app/ui/user_admin.py" line="140" />
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location filename="../../app/ui/user_admin.py" line="140" />
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <location filename="../../app/ui/user_admin.py" line="158" />
        <source>Reactivate</source>
        <translation>重新启用</translation>
    </message>
    <message>
        <location filename="../../app/ui/user_admin.py" line="159" />
        <source>Deactivate</source>
        <translation>停用</translation>
    </message>
    <message>
        <location filename="../../app/ui/user_admin.py" line="221" />
        <source>New user</source>
        <translation>新建用户</translation>
    </message>
    <message>
        <location filename="../../app/ui/user_admin.py" line="222" />
        <location filename="../../app/ui/user_admin.py" line="273" />
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <location filename="../../app/ui/user_admin.py" line="222" />
        <location filename="../../app/ui/user_admin.py" line="273" />
        <source>Full name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../app/ui/user_admin.py" line="223" />
        <location filename="../../app/ui/user_admin.py" line="233" />
        <location filename="../../app/ui/user_admin.py" line="273" />
        <source>Roles</source>
        <translation>角色</translation>
    </message>
    <message>
        <location filename="../../app/ui/user_admin.py" line="223" />
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../../app/ui/user_admin.py" line="224" />
        <location filename="../../app/ui/user_admin.py" line="244" />
        <source>Password again</source>
        <translation>再次输入密码</translation>
    </message>
    <message>
        <location filename="../../app/ui/user_admin.py" line="225" />
        <source>User created.</source>
        <translation>用户已创建。</translation>
    </message>
    <message>
        <location filename="../../app/ui/user_admin.py" line="232" />
        <source>Roles of %1</source>
        <translation>%1 的角色</translation>
    </message>
    <message>
        <location filename="../../app/ui/user_admin.py" line="236" />
        <source>Roles changed.</source>
        <translation>角色已更改。</translation>
    </message>
    <message>
        <location filename="../../app/ui/user_admin.py" line="243" />
        <source>Reset the password of %1</source>
        <translation>重置 %1 的密码</translation>
    </message>
    <message>
        <location filename="../../app/ui/user_admin.py" line="244" />
        <source>New password</source>
        <translation>新密码</translation>
    </message>
    <message>
        <location filename="../../app/ui/user_admin.py" line="247" />
        <source>Password reset; the user must change it at the next log in.</source>
        <translation>密码已重置；用户下次登录时必须修改密码。</translation>
    </message>
    <message>
        <location filename="../../app/ui/user_admin.py" line="253" />
        <source>Unlock %1</source>
        <translation>解锁 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/user_admin.py" line="256" />
        <source>Account unlocked.</source>
        <translation>账户已解锁。</translation>
    </message>
    <message>
        <location filename="../../app/ui/user_admin.py" line="263" />
        <source>Reactivate %1</source>
        <translation>重新启用 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/user_admin.py" line="263" />
        <source>Deactivate %1</source>
        <translation>停用 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/user_admin.py" line="268" />
        <source>Account reactivated.</source>
        <translation>账户已重新启用。</translation>
    </message>
    <message>
        <location filename="../../app/ui/user_admin.py" line="269" />
        <source>Account deactivated.</source>
        <translation>账户已停用。</translation>
    </message>
    <message>
        <location filename="../../app/ui/user_admin.py" line="273" />
        <source>Active</source>
        <translation>活动</translation>
    </message>
    <message>
        <location filename="../../app/ui/user_admin.py" line="274" />
        <source>Locked until</source>
        <translation>锁定至</translation>
    </message>
    <message>
        <location filename="../../app/ui/user_admin.py" line="275" />
        <source>New user…</source>
        <translation>新建用户…</translation>
    </message>
    <message>
        <location filename="../../app/ui/user_admin.py" line="275" />
        <source>Roles…</source>
        <translation>角色…</translation>
    </message>
    <message>
        <location filename="../../app/ui/user_admin.py" line="276" />
        <source>Reset password…</source>
        <translation>重置密码…</translation>
    </message>
    <message>
        <location filename="../../app/ui/user_admin.py" line="277" />
        <source>Unlock…</source>
        <translation>解锁…</translation>
    </message>
</context>
<context>
    <name>UserChangeDialog</name>
    <message>
        <location filename="../../app/ui/user_admin.py" line="49" />
        <source>Why is this change made? (required)</source>
        <translation>为什么要做此更改？（必填）</translation>
    </message>
    <message>
        <location filename="../../app/ui/user_admin.py" line="60" />
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../app/ui/user_admin.py" line="70" />
        <source>A reason is required for every change.</source>
        <translation>每项更改都必须填写原因。</translation>
    </message>
</context>
<context>
    <name>Verdict</name>
    <message>
        <location filename="../../widgets/verdict_badge.py" line="23" />
        <source>PASS</source>
        <translation>合格</translation>
    </message>
    <message>
        <location filename="../../widgets/verdict_badge.py" line="24" />
        <source>WARN</source>
        <translation>警告</translation>
    </message>
    <message>
        <location filename="../../widgets/verdict_badge.py" line="25" />
        <source>FAIL</source>
        <translation>不合格</translation>
    </message>
    <message>
        <location filename="../../widgets/verdict_badge.py" line="26" />
        <source>ERROR</source>
        <translation>无法判定</translation>
    </message>
    <message>
        <location filename="../../widgets/verdict_badge.py" line="27" />
        <source>SKIP</source>
        <translation>跳过</translation>
    </message>
    <message>
        <location filename="../../widgets/verdict_badge.py" line="35" />
        <source>No result yet</source>
        <translation>尚无结果</translation>
    </message>
    <message>
        <location filename="../../widgets/verdict_badge.py" line="36" />
        <source>Within limits</source>
        <translation>在限值内</translation>
    </message>
    <message>
        <location filename="../../widgets/verdict_badge.py" line="37" />
        <source>Outside the warning band, inside the action limits</source>
        <translation>超出警告范围，但在行动限值内</translation>
    </message>
    <message>
        <location filename="../../widgets/verdict_badge.py" line="39" />
        <source>Outside the action limits</source>
        <translation>超出行动限值</translation>
    </message>
    <message>
        <location filename="../../widgets/verdict_badge.py" line="40" />
        <source>Could not decide: the measurement failed</source>
        <translation>无法判定：测量失败</translation>
    </message>
    <message>
        <location filename="../../widgets/verdict_badge.py" line="42" />
        <source>Not judged</source>
        <translation>未判定</translation>
    </message>
</context>
<context>
    <name>StatusWords</name>
    <message>
        <location filename="../../app/ui/status_words.py" line="23" />
        <source>Local only: no central database configured</source>
        <translation>仅本地：未配置中央数据库</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_words.py" line="24" />
        <source>results stay on this station.</source>
        <translation>结果保存在本工作站。</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_words.py" line="25" />
        <source>In sync</source>
        <translation>已同步</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_words.py" line="26" />
        <source>Syncing</source>
        <translation>正在同步</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_words.py" line="28" />
        <source>Central database unreachable (retrying)</source>
        <translation>中央数据库连不上（正在重试）</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_words.py" line="30" />
        <source>Refused: central schema does not match</source>
        <translation>被拒绝：中央数据库结构不匹配</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_words.py" line="31" />
        <source>Sync stopped</source>
        <translation>同步已停止</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_words.py" line="33" />
        <source>Not in sync: rows waiting for the central database</source>
        <translation>未同步：有记录等待写入中央数据库</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_words.py" line="35" />
        <source>Refused: central database credentials or URL wrong (not retried)</source>
        <translation>被拒绝：中央数据库的凭据或地址有误（不再重试）</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_words.py" line="36" />
        <source>backlog %1</source>
        <translation>待同步 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_words.py" line="37" />
        <source>oldest %1</source>
        <translation>最早 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_words.py" line="39" />
        <source>%1 quarantined (refused by the central database: `pharos sync quarantine`)</source>
        <translation>%1 条已隔离（被中央数据库拒绝：`pharos sync quarantine`）</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_words.py" line="41" />
        <source>%1 quarantined</source>
        <translation>%1 条已隔离</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_words.py" line="42" />
        <source>%1 rows waiting, oldest %2</source>
        <translation>%1 条等待同步，最早 %2</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_words.py" line="43" />
        <source>%1 rows waiting</source>
        <translation>%1 条等待同步</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_words.py" line="44" />
        <source>local only</source>
        <translation>仅本地</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_words.py" line="45" />
        <source>lead-room gateway: connected</source>
        <translation>铅房网关：已连接</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_words.py" line="46" />
        <source>lead-room gateway: connecting</source>
        <translation>铅房网关：正在连接</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_words.py" line="47" />
        <source>lead-room gateway: connection lost</source>
        <translation>铅房网关：连接中断</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_words.py" line="48" />
        <source>lead-room gateway: not trusted</source>
        <translation>铅房网关：不受信任</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_words.py" line="49" />
        <source>lead-room gateway: stopped</source>
        <translation>铅房网关：已停止</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_words.py" line="50" />
        <source>archived to %1</source>
        <translation>已归档到 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_words.py" line="51" />
        <source>DICOM receiver %1 on %2</source>
        <translation>DICOM 接收端 %1，地址 %2</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_words.py" line="52" />
        <source>DICOM receiver stopped</source>
        <translation>DICOM 接收端已停止</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_words.py" line="53" />
        <source>intake error: %1</source>
        <translation>接收出错：%1</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_words.py" line="55" />
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_words.py" line="55" />
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_words.py" line="56" />
        <source>%1 h</source>
        <translation>%1 小时</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_words.py" line="57" />
        <source>; </source>
        <translation>；</translation>
    </message>
</context>
<context>
    <name>ErrorWords</name>
    <message>
        <location filename="../../widgets/error_words.py" line="36" />
        <source>Unknown user name or wrong password.</source>
        <translation>用户名不存在或密码错误。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="38" />
        <source>Unknown user name or wrong password (%1 attempt(s) left before lockout).</source>
        <translation>用户名不存在或密码错误（再输错 %1 次账户将被锁定）。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="41" />
        <source>The account '%1' is deactivated.</source>
        <translation>账户“%1”已停用。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="43" />
        <source>The account '%1' is locked until %2 after repeated failed attempts.</source>
        <translation>多次登录失败，账户“%1”已锁定至 %2。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="46" />
        <source>Wrong password. The account '%1' is now locked for %2 minutes.</source>
        <translation>密码错误。账户“%1”现已锁定 %2 分钟。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="49" />
        <source>Your password has expired or must be changed now.</source>
        <translation>密码已过期或必须立即修改。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="51" />
        <source>The password must have at least %1 characters.</source>
        <translation>密码至少需要 %1 个字符。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="53" />
        <source>The password must contain letters and digits.</source>
        <translation>密码必须同时包含字母和数字。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="55" />
        <source>The password must not contain the user name.</source>
        <translation>密码不得包含用户名。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="57" />
        <source>The new password must differ from the last %1 passwords.</source>
        <translation>新密码不得与最近 %1 次使用过的密码相同。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="59" />
        <source>User names use letters, digits, '.', '_' or '-'.</source>
        <translation>用户名只能使用字母、数字、“.”、“_”或“-”。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="61" />
        <source>A printed (full) name is required: it appears on signatures.</source>
        <translation>必须填写全名：它将显示在电子签名上。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="64" />
        <source>A user needs at least one role.</source>
        <translation>每个用户至少需要一个角色。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="66" />
        <source>User '%1' already exists.</source>
        <translation>用户“%1”已存在。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="68" />
        <source>User '%1' does not exist.</source>
        <translation>用户“%1”不存在。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="70" />
        <source>A reason is required for every account change.</source>
        <translation>每次账户变更都必须填写原因。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="72" />
        <source>You cannot deactivate your own account.</source>
        <translation>不能停用自己的账户。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="74" />
        <source>User '%1' may not %2: needs admin.</source>
        <translation>用户“%1”无权执行此操作（%2）：需要管理员权限。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="75" />
        <source>No session to unlock.</source>
        <translation>没有需要解锁的会话。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="77" />
        <source>Only the session's user or an administrator may unlock it.</source>
        <translation>只有该会话的用户或管理员可以解锁。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="80" />
        <source>Enter your password to sign.</source>
        <translation>请输入密码以进行电子签名。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="82" />
        <source>User '%1' may not sign their own work (second-person rule).</source>
        <translation>用户“%1”不得签署自己的工作（双人复核规则）。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="88" />
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="89" />
        <source>Configuration error</source>
        <translation>配置错误</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="90" />
        <source>Data store error</source>
        <translation>数据存储错误</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="91" />
        <source>Authentication failed</source>
        <translation>身份验证失败</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="92" />
        <source>Password expired</source>
        <translation>密码已过期</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="93" />
        <source>Account locked</source>
        <translation>账户已锁定</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="94" />
        <source>Not permitted</source>
        <translation>权限不足</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="95" />
        <source>Invalid input</source>
        <translation>输入有误</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="96" />
        <source>Input rejected</source>
        <translation>输入被拒绝</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="97" />
        <source>Device error</source>
        <translation>设备错误</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="98" />
        <source>Model files failed their check</source>
        <translation>模型文件校验失败</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="99" />
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="100" />
        <source>Data folder in use</source>
        <translation>数据目录已被占用</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="101" />
        <source>Setup invalid</source>
        <translation>设置无效</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="102" />
        <source>Review conflict</source>
        <translation>复核冲突</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="103" />
        <source>PACS error</source>
        <translation>PACS 错误</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="104" />
        <source>PACS not reachable</source>
        <translation>PACS 无法连接</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="105" />
        <source>PACS refused the association</source>
        <translation>PACS 拒绝了关联</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="106" />
        <source>PACS did not answer in time</source>
        <translation>PACS 未及时响应</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="107" />
        <source>PACS reported a failure</source>
        <translation>PACS 返回失败状态</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="108" />
        <source>DICOM receiver could not start</source>
        <translation>DICOM 接收端无法启动</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="109" />
        <source>Central database not reachable</source>
        <translation>中央数据库无法连接</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="110" />
        <source>Central database schema does not match</source>
        <translation>中央数据库结构版本不匹配</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="111" />
        <source>No central database configured</source>
        <translation>未配置中央数据库</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="112" />
        <source>Central database refused the credentials</source>
        <translation>中央数据库拒绝了登录凭据</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="113" />
        <source>Central database URL wrong</source>
        <translation>中央数据库地址有误</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="114" />
        <source>Certificate not trusted</source>
        <translation>证书不受信任</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="115" />
        <source>MES not reachable</source>
        <translation>MES 无法连接</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="116" />
        <source>MES refused the message</source>
        <translation>MES 拒绝了消息</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="117" />
        <source>Test record integrity to be reviewed</source>
        <translation>测试记录完整性待审核</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="118" />
        <source>Release refused</source>
        <translation>放行被拒绝</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="119" />
        <source>Test sequence file error</source>
        <translation>测试序列文件有误</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="120" />
        <source>Device call timed out</source>
        <translation>设备调用超时</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="121" />
        <source>Run in use by another process</source>
        <translation>该测试运行正被其他进程占用</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="122" />
        <source>OPC UA security does not match</source>
        <translation>OPC UA 安全设置不匹配</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="123" />
        <source>OPC UA connection lost</source>
        <translation>OPC UA 连接中断</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="124" />
        <source>OPC UA timeout</source>
        <translation>OPC UA 超时</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="125" />
        <source>OPC UA bad status</source>
        <translation>OPC UA 返回错误状态</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="126" />
        <source>Test journal error</source>
        <translation>测试日志错误</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="127" />
        <source>Pool import refused</source>
        <translation>模块池导入被拒绝</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="129" />
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="133" />
        <source>Contact the station administrator.</source>
        <translation>请联系工作站管理员。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="134" />
        <source>Correct the named key in the configuration file and start again.</source>
        <translation>请更正配置文件中指出的配置项，然后重新启动。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="135" />
        <source>Check the data folder (disk space, permissions) or restore the last backup.</source>
        <translation>请检查数据目录（磁盘空间、权限），或恢复最近一次备份。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="136" />
        <source>Check the user name and password; ask an administrator to unlock the account.</source>
        <translation>请检查用户名和密码；如账户被锁定，请管理员解锁。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="137" />
        <source>Log in as a user whose role allows this action.</source>
        <translation>请以角色允许此操作的用户登录。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="138" />
        <source>Correct the input and try again.</source>
        <translation>请更正输入后重试。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="139" />
        <source>Check the connection to the device or gateway; the station keeps retrying.</source>
        <translation>请检查与设备或网关的连接；工作站会持续重试。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="140" />
        <source>Reinstall the model files; the station works without AI until then.</source>
        <translation>请重新安装模型文件；在此之前工作站不使用 AI 继续工作。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="141" />
        <source>Nothing to do: the operation was cancelled on request.</source>
        <translation>无需处理：操作已按要求取消。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="142" />
        <source>Close the other Pharos window using this data folder, or choose another data folder.</source>
        <translation>请关闭使用此数据目录的另一个 Pharos 窗口，或选择其他数据目录。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="143" />
        <source>Reload the queue: another reviewer decided this item first.</source>
        <translation>请重新加载队列：另一位复核人员已先处理此项。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="144" />
        <source>The MES is not reachable; messages wait in the outbox and are sent later.</source>
        <translation>MES 无法连接；消息在发件箱中等待，稍后发送。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="145" />
        <source>The MES refused the message; the unit is held. Contact production control.</source>
        <translation>MES 拒绝了消息；该设备已被扣留。请联系生产控制。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="146" />
        <source>If this certificate is the gateway's, an administrator copies it from the 'rejected' folder into the 'trusted' folder of the workstation PKI and the station connects on its next retry.</source>
        <translation>如果该证书属于网关，请管理员将其从工作站 PKI 的“rejected”文件夹复制到“trusted”文件夹，工作站将在下次重试时连接。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="147" />
        <source>Choose a new password now.</source>
        <translation>请立即设置新密码。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="148" />
        <source>Wait until the lock expires or ask an administrator to unlock the account.</source>
        <translation>请等待锁定到期，或请管理员解锁账户。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="149" />
        <source>Check the PACS address, port and AE titles in the [pacs] configuration.</source>
        <translation>请检查 [pacs] 配置中的 PACS 地址、端口和 AE 标题。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="150" />
        <source>The PACS does not answer on its DICOM port: check that it runs and that host and port in [pacs] are right.</source>
        <translation>PACS 的 DICOM 端口无响应：请确认 PACS 正在运行，且 [pacs] 中的主机和端口正确。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="151" />
        <source>The PACS refused or aborted the association: register this station's AE title (and host/port) in the PACS and check the called AE title.</source>
        <translation>PACS 拒绝或中止了关联：请在 PACS 中登记本工作站的 AE 标题（及主机/端口），并检查被叫 AE 标题。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="152" />
        <source>The PACS did not answer in time; check its load and the network, then retry.</source>
        <translation>PACS 未及时响应；请检查其负载和网络，然后重试。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="153" />
        <source>The PACS answered with a failure status; see the detail and the PACS log.</source>
        <translation>PACS 返回了失败状态；请查看详情和 PACS 日志。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="154" />
        <source>Choose a free port for the station's DICOM receiver ([pacs] scp_port) or stop the other program that uses it.</source>
        <translation>请为工作站的 DICOM 接收端选择一个空闲端口（[pacs] scp_port），或停止占用该端口的其他程序。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="155" />
        <source>Nothing is lost: results stay in the local outbox and are pushed when the central database answers again. Check the network and the database server.</source>
        <translation>数据不会丢失：结果保存在本地发件箱中，中央数据库恢复响应后即推送。请检查网络和数据库服务器。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="156" />
        <source>Run `pharos central migrate --url URL` with the Pharos version that matches the plant, or install the Pharos version the central database expects. Results stay in the local outbox meanwhile.</source>
        <translation>请用与工厂匹配的 Pharos 版本运行 `pharos central migrate --url URL`，或安装中央数据库要求的 Pharos 版本。在此期间结果保存在本地发件箱中。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="157" />
        <source>Set [database] central_url in the configuration to sync with the plant.</source>
        <translation>如需与工厂同步，请在配置中设置 [database] central_url。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="158" />
        <source>The central database refused this station's credentials (user or password). Fix the user in [database] central_url or the password in the 0600 file [database] central_password_file (`pharos setup --central-url ...`). Sync does not retry until then; results stay in the local outbox.</source>
        <translation>中央数据库拒绝了本工作站的凭据（用户或密码）。请更正 [database] central_url 中的用户，或 0600 权限文件 [database] central_password_file 中的密码（`pharos setup --central-url ...`）。在此之前同步不会重试；结果保存在本地发件箱中。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="159" />
        <source>The central database URL is wrong (not a URL, unknown host, no such database). Fix [database] central_url (`pharos setup --central-url ...`). Sync does not retry until then; results stay in the local outbox.</source>
        <translation>中央数据库地址有误（不是 URL、主机未知或数据库不存在）。请更正 [database] central_url（`pharos setup --central-url ...`）。在此之前同步不会重试；结果保存在本地发件箱中。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="160" />
        <source>A supervisor reviews the journal and decides under e-signature: pharos tunnel integrity RUN_ID --decide accept|reject --reason TEXT --as SUPERVISOR (or in the tunnel console).</source>
        <translation>由主管审核测试日志并以电子签名作出决定：pharos tunnel integrity RUN_ID --decide accept|reject --reason TEXT --as SUPERVISOR（或在测试隧道控制台中）。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="161" />
        <source>Only a passing, releasable run can be released; see the reason.</source>
        <translation>只有通过且可放行的测试运行才能放行；请查看原因。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="162" />
        <source>Correct the sequence file at the named line and load it again.</source>
        <translation>请更正测试序列文件中指出的行，然后重新加载。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="163" />
        <source>The unit was put in its safe state. Check the device, then resume or abort.</source>
        <translation>设备已置于安全状态。请检查设备，然后继续或中止。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="164" />
        <source>Another process is still writing this run (a runner whose console was lost, or a second console). Wait until it has put the unit in its safe state and stopped; it stops by itself when its console is gone.</source>
        <translation>另一个进程仍在写入此测试运行（控制台已丢失的运行程序，或第二个控制台）。请等待它将设备置于安全状态并停止；控制台关闭后它会自行停止。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="165" />
        <source>Match the workstation's [opcua] security to what the tunnel server offers, or have the tunnel's administrator enable it; Pharos never falls back to an unsecured link on its own.</source>
        <translation>请使工作站的 [opcua] 安全设置与测试隧道服务器提供的一致，或请隧道管理员启用安全设置；Pharos 绝不会自行退回到不安全的连接。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="166" />
        <source>Check the tunnel network and the OPC UA server; Pharos reconnects by itself.</source>
        <translation>请检查测试隧道网络和 OPC UA 服务器；Pharos 会自动重新连接。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="167" />
        <source>Check the data folder; the run was stopped safely and what was journalled is kept. Resume or abort the run afterwards.</source>
        <translation>请检查数据目录；测试运行已安全停止，已记入日志的内容均保留。之后请继续或中止该运行。</translation>
    </message>
    <message>
        <location filename="../../widgets/error_words.py" line="168" />
        <source>Correct the file (see the import report) and import it again; nothing was imported.</source>
        <translation>请更正文件（见导入报告）后重新导入；本次未导入任何内容。</translation>
    </message>
</context>
</TS>