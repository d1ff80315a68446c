//! A binary built with `embed-playground` serves the playground by itself: started from an
//! empty folder with no `--playground-dir`, `/` and the page's deep links answer with the built
//! page, and the protocol surfaces are unchanged. (Compiled only with the feature, which
//! `cargo xtask ci` turns on for its whole test run after building the playground.)

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::{seeded_data_dir, temp_dir};

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn the_binary_alone_serves_the_built_in_playground() {
    let data_dir = seeded_data_dir("embedded");
    let empty_cwd = temp_dir("embedded-cwd");
    let deadline = Instant::now() + Duration::from_secs(60);
    let client = reqwest::Client::new();
    'start: loop {
        let port = free_port();
        let mut child = Child(
            Command::new(env!("CARGO_BIN_EXE_mock-entra"))
                .current_dir(&empty_cwd)
                .args(["--listen", &format!("127.0.0.1:{port}")])
                .args(["--tls-listen", "127.0.0.1:0"])
                .arg("--data-dir")
                .arg(&data_dir)
                .env_remove("MOCK_ENTRA_PLAYGROUND_DIR")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        let base = format!("http://127.0.0.1:{port}");
        loop {
            assert!(Instant::now() < deadline, "mock-entra did not start");
            if let Ok(Some(_)) = child.0.try_wait() {
                continue 'start; // the port was taken meanwhile: try another
            }
            match client.get(format!("{base}/")).send().await {
                Ok(r) => {
                    assert_eq!(r.status(), 200);
                    let page = r.text().await.unwrap();
                    assert!(page.contains("mock-entra playground"), "{page}");
                    assert!(page.contains(".wasm"), "the page loads its wasm: {page}");
                    let deep = client.get(format!("{base}/lab")).send().await.unwrap();
                    assert_eq!(deep.status(), 200, "deep links fall back to the page");
                    let imds = client
                        .get(format!(
                            "{base}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=api://AzureADTokenExchange"
                        ))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(
                        imds.status(),
                        400,
                        "IMDS still answers (no Metadata header)"
                    );
                    break 'start;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }
}
