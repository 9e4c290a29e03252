// The console's browser test (run by TestConsoleInBrowser): Debian's
// chromium, headless, driven by playwright-core through the seeds' flow.
import { chromium } from "playwright-core";
import { readFile, mkdir } from "node:fs/promises";
import path from "node:path";

const base = process.env.SEKISHO_URL;
const shots = process.env.SCREENSHOT_DIR;
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const alice = "arn:aws:iam::222222222222:user/alice";
const role = "arn:aws:iam::111111111111:role/assume_s3_role";

function check(ok, what) {
  if (!ok) throw new Error("check failed: " + what);
}

async function text(page, selector) {
  return (await page.locator(selector).first().innerText()).trim();
}

async function shot(page, name) {
  if (shots) await page.screenshot({ path: path.join(shots, name + ".png"), fullPage: true });
}

const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  if (shots) await mkdir(shots, { recursive: true });

  // Sign-in page at the account's sign-in URL; the skip link comes first.
  await page.goto(base + "/console/?account=account-b");
  check((await page.inputValue("#account")) === "account-b", "account prefilled from ?account=");
  await page.keyboard.press("Tab");
  check((await page.evaluate(() => document.activeElement.textContent)) === "Skip to content", "keyboard: skip link first");
  await shot(page, "signin");

  // A wrong password is refused.
  await page.fill("#user", "alice");
  await page.fill("#password", "not-her-password");
  await page.click("button[type=submit]");
  check((await text(page, "[data-testid=error]")).includes("Your authentication information is incorrect"), "wrong password refused");

  // A form post without the CSRF token is refused.
  const forged = await context.request.post(base + "/console/signin", {
    form: { account: "account-b", user: "alice", password: process.env.ALICE_PASSWORD }, maxRedirects: 0,
  });
  check(forged.status() === 403, "post without CSRF token refused, got " + forged.status());

  // alice signs in with her password, by keyboard.
  await page.fill("#account", "account-b");
  await page.fill("#user", "alice");
  await page.fill("#password", process.env.ALICE_PASSWORD);
  await page.press("#password", "Enter");
  await page.waitForURL(/\/console\/$/);
  check((await text(page, "[data-testid=identity]")) === "alice @ account-b", "signed in as alice");
  await shot(page, "home");

  // A role alice may not assume is refused with AWS's message and why.
  await page.goto(base + "/console/switchrole");
  await page.fill("#account", "account-a");
  await page.fill("#roleName", "sw-service1-infra");
  await page.click("button.primary");
  check((await text(page, "[data-testid=error]")).includes("Invalid information in one or more fields"), "refused switch message");
  check((await text(page, "[data-testid=sts-error]")).includes("is not authorized to perform: sts:AssumeRole"), "STS message");
  check((await text(page, "[data-testid=explanation]")).includes("sw-service1-infra"), "refused switch explained");
  await shot(page, "switchrole-refused");

  // Switch Role from the shareable link into A's assume_s3_role.
  await page.goto(base + "/console/switchrole?account=111111111111&roleName=assume_s3_role&displayName=S3%20in%20A&color=B7CA9D");
  check((await page.inputValue("#roleName")) === "assume_s3_role", "link fills the form");
  await shot(page, "switchrole");
  await page.click("button.primary");
  await page.waitForURL(/\/console\/$/);
  check((await text(page, "[data-testid=identity]")) === "S3 in A", "top bar shows the display name");
  const colour = await page.locator("[data-testid=identity]").evaluate((e) => getComputedStyle(e).backgroundColor);
  check(colour === "rgb(183, 202, 157)", "top bar in the chosen colour, got " + colour);

  // The seed's bucket, and a download.
  await page.click("nav.services >> text=S3");
  check((await text(page, "[data-testid=buckets]")).includes("account-a-bucket-0525"), "seed bucket listed");
  await shot(page, "s3-buckets");
  await page.click("text=account-a-bucket-0525");
  check((await text(page, "[data-testid=objects]")).includes("test.txt"), "objects listed");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.locator("tr", { hasText: "test2.txt" }).locator("text=Download").click(),
  ]);
  const body = await readFile(await download.path(), "utf8");
  check(body === "second object\n", "downloaded object, got " + JSON.stringify(body));
  await shot(page, "s3-objects");

  // An upload is refused, with its explanation.
  await page.setInputFiles("#file", { name: "upload.txt", mimeType: "text/plain", buffer: Buffer.from("not allowed\n") });
  await page.click("form.upload button");
  check((await text(page, "[data-testid=error]")).includes("AccessDenied"), "upload refused");
  const why = await text(page, "[data-testid=explanation]");
  check(why.includes("s3:PutObject") && why.includes("assume_s3_role"), "upload refusal explained");
  await shot(page, "s3-upload-refused");

  // The decision log has it, denied only.
  await page.goto(base + "/console/decisions?denied=1");
  check((await text(page, "[data-testid=decisions]")).includes("s3:PutObject"), "decision log lists the refused upload");
  await shot(page, "decisions");

  // "Generate policy" for the role session, reached with the keyboard.
  const session = "arn:aws:sts::111111111111:assumed-role/assume_s3_role/alice";
  const generateLink = page.locator(`[data-testid=generate-policy][data-principal="${session}"]`);
  await generateLink.focus();
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/console\/decisions\/policy\?/);
  const policyJSON = JSON.parse(await text(page, "[data-testid=policy-json]"));
  check(JSON.stringify(policyJSON).includes("s3:GetObject"), "generated policy allows what the role did");
  check((await text(page, "[data-testid=not-granted]")).includes("s3:PutObject"), "refused upload is needed but not granted");

  // Back to alice; the role stays in the history.
  await page.click("[data-testid=identity]");
  await page.click("text=Back to alice");
  await page.waitForURL(/\/console\/$/);
  check((await text(page, "[data-testid=identity]")) === "alice @ account-b", "back to alice");
  await page.click("[data-testid=identity]");
  check((await text(page, ".recent")).includes("S3 in A"), "role history");
  await shot(page, "role-history");
  await page.keyboard.press("Escape");

  // The access map shows the B→A edge; its statements are one click away.
  await page.goto(base + "/console/map");
  const edge = page.locator(`[data-testid=edge][data-from="${alice}"][data-to="${role}"]`);
  check((await edge.count()) === 1, "access map shows alice → assume_s3_role");
  await edge.click();
  check((await text(page, "[data-testid=edge-detail]")).includes("assume_s3_role trust policy"), "edge statements");
  await shot(page, "access-map");

  // IAM, as alice: only what her policies allow.
  await page.goto(base + "/console/iam");
  await shot(page, "iam");

  // Phone width.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(base + "/console/");
  await shot(page, "home-phone");

  await page.click("[data-testid=identity]");
  await page.click("text=Sign out");
  await page.waitForSelector("#password");
  console.log("console browser flow ok");
} finally {
  await browser.close();
}
